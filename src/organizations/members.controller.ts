import { Body, Controller, Delete, Get, HttpCode, Patch, Query, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentMembership, CurrentPrincipal } from '../access/access.decorators.js';
import type { OrganizationMembership, Principal } from '../access/principal.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { PageLinks } from '../common/pagination/page-links.js';
import { ApiPageResponse } from '../common/swagger/api-page.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { MemberPageDto, MemberResponseDto } from './dto/organization-responses.dto.js';
import { ListMembersQuery, UpdateMemberDto } from './dto/organization-requests.dto.js';
import { MembersService } from './members.service.js';

const NO_MEMBER = {
  status: 404,
  type: 'not-found',
  description:
    'No such organization, you are not one of its members, or it has no such member (`/problems/not-found`).',
};
const OWNERS = {
  status: 403,
  type: 'forbidden',
  description:
    'Your role in the organization may not do this: managing members is for owners and admins, and the owner role (granting, changing or removing it) for owners alone (`/problems/forbidden`).',
};
const LAST_OWNER = {
  status: 409,
  type: 'last-owner',
  description: 'This would leave the organization without an owner (`/problems/last-owner`).',
};

/** The members of an organization. */
@ApiTags('organizations')
@Controller('organizations/:id/members')
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly pages: PageLinks,
  ) {}

  @Get()
  @Access({ organization: 'members:read', scope: 'organizations:read' })
  @ApiOperation({
    operationId: 'organizations_listMembers',
    summary: "An organization's members",
    description: 'The most recently joined first; `search` narrows to names and addresses containing it.',
  })
  @ApiPageResponse(MemberPageDto)
  @ApiProblems(400)
  @ApiUuidParam('id', 'The organization.')
  async list(
    @CurrentMembership() membership: OrganizationMembership,
    @Query() query: ListMembersQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MemberPageDto> {
    const page = await this.members.list(membership.organizationId, query);
    const path = `organizations/${membership.organizationId}/members`;
    if (page.next) void reply.header('link', this.pages.nextLink(path, query, page.next));
    return { items: page.items.map(MemberResponseDto.from), nextCursor: page.next };
  }

  @Patch(':userId')
  @HttpCode(204)
  @Access({ organization: 'members:update', scope: 'organizations:write' })
  @ApiOperation({
    operationId: 'organizations_updateMember',
    summary: "Change a member's role",
    description:
      'Owners and admins; only owners grant or take away `owner`, and the last owner keeps it (409). Recorded as `organization.member-role-changed`.',
  })
  @ApiNoContentResponse({ description: 'Changed (or it was that role already).' })
  @ApiProblems(400, OWNERS, NO_MEMBER, LAST_OWNER, 413, 415)
  @ApiUuidParam('id', 'The organization.')
  @ApiUuidParam('userId', 'The member (their user id).')
  async update(
    @CurrentPrincipal() principal: Principal,
    @CurrentMembership() membership: OrganizationMembership,
    @UuidParam('userId') userId: string,
    @Body() body: UpdateMemberDto,
  ): Promise<void> {
    await this.members.changeRole(principal.userId, membership.organizationId, userId, body.role);
  }

  @Delete(':userId')
  @HttpCode(204)
  @Access({ organization: 'members:remove', scope: 'organizations:write' })
  @ApiOperation({
    operationId: 'organizations_removeMember',
    summary: 'Remove a member',
    description:
      'Owners and admins; only owners remove an owner, and never the last one (409). Removing yourself is leaving. The member loses access at once, and the `org_id` of their tokens at the next refresh. Recorded as `organization.member-removed`.',
  })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(400, OWNERS, NO_MEMBER, LAST_OWNER)
  @ApiUuidParam('id', 'The organization.')
  @ApiUuidParam('userId', 'The member (their user id).')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @CurrentMembership() membership: OrganizationMembership,
    @UuidParam('userId') userId: string,
  ): Promise<void> {
    await this.members.remove(principal.userId, membership.organizationId, userId);
  }
}
