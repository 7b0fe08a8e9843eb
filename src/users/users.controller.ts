import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserPageDto } from './dto/user-page.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({
    operationId: 'users_create',
    summary: 'Sign up',
    description: 'Creates an account with the role `user`.',
  })
  @ApiCreatedResponse({ type: UserResponseDto, description: 'Created; `Location` is the new user.' })
  @ApiProblems(400, 409, 413, 415)
  async create(
    @Body() body: CreateUserDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    const user = await this.users.signUp(body);
    void reply.header('Location', `/api/v1/users/${user.id}`);
    return UserResponseDto.from(user);
  }

  @Get()
  @ApiOperation({
    operationId: 'users_list',
    summary: 'List users',
    description: 'Newest first, a page at a time: pass `nextCursor` back as `cursor` until it is null.',
  })
  @ApiOkResponse({ type: UserPageDto })
  @ApiProblems(400)
  async list(@Query() query: ListUsersQuery): Promise<UserPageDto> {
    const page = await this.users.list(query);
    return { items: page.items.map(UserResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'users_get', summary: 'Get a user' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblems(400, 404)
  async get(@UuidParam() id: string): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.getById(id));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'users_update', summary: "Change a user's name or role" })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblems(400, 404, 413, 415)
  async update(@UuidParam() id: string, @Body() body: UpdateUserDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'users_delete', summary: 'Delete a user' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400, 404)
  async delete(@UuidParam() id: string): Promise<void> {
    await this.users.delete(id);
  }
}
