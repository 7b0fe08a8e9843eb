import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccountInPath, Access, CurrentPrincipal, Public } from '../access/access.decorators.js';
import type { Principal } from '../access/principal.js';
import { apiPath } from '../common/http/api-prefix.js';
import { IfMatch, type EntityTagCondition } from '../common/http/conditional-requests.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { PageLinks } from '../common/pagination/page-links.js';
import { ApiIfMatch, ApiIfNoneMatch, ApiOkWithETag } from '../common/swagger/api-conditional.decorator.js';
import { ApiPageResponse } from '../common/swagger/api-page.decorator.js';
import { ApiProblems, EMAIL_TAKEN, LAST_ADMIN } from '../common/swagger/api-problems.decorator.js';
import { RateLimit } from '../rate-limit/rate-limit.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserPageDto } from './dto/user-page.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import type { User } from './entities/user.entity.js';
import { userETag } from './user-etag.js';
import { UsersService } from './users.service.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { UserAdministration } from './user-administration.service.js';

/** What refuses an account's deletion: its users' rule, and another module's (`account.deleting`). */
const KEPT_ACCOUNT = {
  ...LAST_ADMIN,
  description: `${LAST_ADMIN.description} Or the account is the last owner of an organization with other members (\`/problems/last-owner\`, naming it): make another member an owner, or delete it, first.`,
};

/** The user's representation, with its `ETag` (a GET with a matching `If-None-Match` gets a 304). */
function withETag(reply: FastifyReply, user: User): UserResponseDto {
  const representation = UserResponseDto.from(user);
  void reply.header('etag', userETag(user, representation));
  return representation;
}

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly administration: UserAdministration,
    private readonly pages: PageLinks,
  ) {}

  @Post()
  @Idempotent()
  @Public()
  @RateLimit('signup')
  @ApiOperation({
    operationId: 'users_create',
    summary: 'Sign up',
    description: 'Creates an account with the role `user`.',
  })
  @ApiCreatedResponse({ type: UserResponseDto, description: 'Created; `Location` is the new user.' })
  @ApiProblems(400, EMAIL_TAKEN, 413, 415)
  async create(
    @Body() body: CreateUserDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    const user = await this.users.signUp(body);
    void reply.header('Location', apiPath('users', user.id));
    return UserResponseDto.from(user);
  }

  @Get()
  @Access({ roles: ['admin'], scope: 'users:read' })
  @ApiOperation({
    operationId: 'users_list',
    summary: 'List users (admin)',
    description: 'Newest first, a page at a time: pass `nextCursor` back as `cursor` until it is null.',
  })
  @ApiPageResponse(UserPageDto)
  @ApiProblems(400)
  async list(
    @Query() query: ListUsersQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserPageDto> {
    const page = await this.users.list(query);
    if (page.nextCursor) void reply.header('link', this.pages.nextLink('users', query, page.nextCursor));
    return { items: page.items.map(UserResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get('me')
  @Access({ scope: 'users:read' })
  @ApiOperation({
    operationId: 'users_getMe',
    summary: 'Your account',
    description: 'The account of the access token.',
  })
  @ApiOkWithETag(UserResponseDto)
  @ApiIfNoneMatch()
  getMe(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): UserResponseDto {
    // The guard has just read the account with the session; reading it again would cost a query.
    return withETag(reply, principal.user);
  }

  @Patch('me')
  @Access({ scope: 'users:write' })
  @ApiOperation({
    operationId: 'users_updateMe',
    summary: 'Change your name',
    description: 'Only `name` may be sent.',
  })
  @ApiOkWithETag(UserResponseDto)
  @ApiIfMatch()
  @ApiProblems(400, 413, 415)
  async updateMe(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateMeDto,
    @IfMatch() ifMatch: EntityTagCondition | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    return withETag(reply, await this.administration.update(principal.userId, { name: body.name }, ifMatch));
  }

  @Delete('me')
  @HttpCode(204)
  @Access({ recentAuthentication: true })
  @ApiOperation({
    operationId: 'users_deleteMe',
    summary: 'Delete your account',
    description:
      'Needs a recent sign-in (`POST /auth/reauthenticate`, else 403). Its sessions end at once. The last active admin cannot delete their own account (409).',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(KEPT_ACCOUNT)
  async deleteMe(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.administration.delete(principal.userId);
  }

  @Get(':id')
  @Access({ scope: 'users:read', account: 'id' })
  @ApiOperation({
    operationId: 'users_get',
    summary: 'Get a user',
    description: 'Admins see anyone; users only themselves (404 otherwise).',
  })
  @ApiOkWithETag(UserResponseDto)
  @ApiIfNoneMatch()
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam() id: string,
    @AccountInPath() account: User | null | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    return withETag(reply, await this.users.getVisibleTo(principal, id, account));
  }

  @Patch(':id')
  @Access({ roles: ['admin'], scope: 'users:write' })
  @ApiOperation({
    operationId: 'users_update',
    summary: "Change a user's name or role (admin)",
    description:
      'A role change applies to the next request. The last active admin cannot be made a user (409), even when two admins demote each other at the same moment.',
  })
  @ApiOkWithETag(UserResponseDto)
  @ApiIfMatch()
  @ApiProblems(400, 404, LAST_ADMIN, 413, 415)
  @ApiUuidParam()
  async update(
    @UuidParam() id: string,
    @Body() body: UpdateUserDto,
    @IfMatch() ifMatch: EntityTagCondition | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    return withETag(reply, await this.administration.update(id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  @Access({ roles: ['admin'], scope: 'users:write' })
  @ApiOperation({
    operationId: 'users_delete',
    summary: 'Delete a user (admin)',
    description: 'Their sessions end at once. The last active admin cannot be deleted (409).',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400, 404, KEPT_ACCOUNT)
  @ApiUuidParam()
  async delete(@UuidParam() id: string): Promise<void> {
    await this.administration.delete(id);
  }
}
