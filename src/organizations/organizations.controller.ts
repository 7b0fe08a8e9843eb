import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentMembership, CurrentPrincipal } from '../access/access.decorators.js';
import type { OrganizationMembership, Principal } from '../access/principal.js';
import { AuditLog } from '../audit/audit-log.js';
import { AuditEventPageDto, AuditEventResponseDto } from '../audit/dto/audit-event-response.dto.js';
import { ApiUuidParam } from '../common/http/uuid-param.decorator.js';
import { PageLinks } from '../common/pagination/page-links.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { ApiPageResponse } from '../common/swagger/api-page.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { OrganizationPageDto, OrganizationResponseDto } from './dto/organization-responses.dto.js';
import {
  AcceptInvitationDto,
  CreateOrganizationDto,
  DeleteOrganizationQuery,
  UpdateOrganizationDto,
} from './dto/organization-requests.dto.js';
import { InvitationsService } from './invitations.service.js';
import { MembersService } from './members.service.js';
import { OrganizationsService } from './organizations.service.js';

const SLUG_TAKEN = {
  status: 409,
  type: 'slug-taken',
  description: 'Another organization has this slug (`/problems/slug-taken`).',
};
const LAST_OWNER = {
  status: 409,
  type: 'last-owner',
  description: 'You are its last owner (`/problems/last-owner`): make another member an owner first.',
};
const NOT_VERIFIED = {
  status: 403,
  type: 'email-not-verified',
  description:
    'Your address is not verified yet (`/problems/email-not-verified`): organizations are for verified addresses.',
};

/** Organizations: yours, one of them, and joining one by invitation. */
@ApiTags('organizations')
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly members: MembersService,
    private readonly invitations: InvitationsService,
    private readonly audit: AuditLog,
    private readonly pages: PageLinks,
  ) {}

  @Post()
  @HttpCode(201)
  @Access({ scope: 'organizations:write' })
  @ApiOperation({
    operationId: 'organizations_create',
    summary: 'Create an organization',
    description: 'You become its owner. Needs a verified address. Recorded as `organization.created`.',
  })
  @ApiCreatedResponse({ type: OrganizationResponseDto })
  @ApiProblems(400, NOT_VERIFIED, SLUG_TAKEN, 413, 415)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateOrganizationDto,
  ): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(await this.organizations.create(principal, body), 'owner');
  }

  @Get()
  @Access({ scope: 'organizations:read' })
  @ApiOperation({
    operationId: 'organizations_list',
    summary: 'Your organizations',
    description: 'Those you are a member of, the most recently joined first, with your role in each.',
  })
  @ApiPageResponse(OrganizationPageDto)
  @ApiProblems(400)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrganizationPageDto> {
    const page = await this.organizations.listOf(principal.userId, query);
    if (page.next) void reply.header('link', this.pages.nextLink('organizations', query, page.next));
    return {
      items: page.items.map((each) => OrganizationResponseDto.from(each.organization, each.role)),
      nextCursor: page.next,
    };
  }

  @Post('invitations/accept')
  @HttpCode(200)
  @Access()
  @ApiOperation({
    operationId: 'organizations_acceptInvitation',
    summary: 'Accept an invitation',
    description:
      'With the token of the invitation link, signed in as the account whose verified address was invited (sign up with it first if need be). You become a member with the invited role; the token is spent. An unknown, expired, revoked or spent token, or one for another address, is the same 400. Recorded as `organization.member-added`.',
  })
  @ApiOkResponse({ type: OrganizationResponseDto })
  @ApiProblems(
    {
      status: 400,
      type: 'invalid-invitation',
      description:
        'The invitation cannot be accepted, or the body is not valid (`/problems/invalid-invitation`, `/problems/validation-failed`).',
    },
    NOT_VERIFIED,
    413,
    415,
  )
  async accept(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AcceptInvitationDto,
  ): Promise<OrganizationResponseDto> {
    const { organization, role } = await this.invitations.accept(principal, body.token);
    return OrganizationResponseDto.from(organization, role);
  }

  @Get(':id')
  @Access({ organization: 'organizations:read', scope: 'organizations:read' })
  @ApiOperation({
    operationId: 'organizations_get',
    summary: 'An organization you are a member of',
    description: 'With your role in it. Not a member: the 404 of an organization that does not exist.',
  })
  @ApiOkResponse({ type: OrganizationResponseDto })
  @ApiProblems(400)
  @ApiUuidParam('id', 'The organization.')
  async get(@CurrentMembership() membership: OrganizationMembership): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(
      await this.organizations.get(membership.organizationId),
      membership.role,
    );
  }

  @Patch(':id')
  @Access({ organization: 'organizations:update', scope: 'organizations:write' })
  @ApiOperation({
    operationId: 'organizations_update',
    summary: 'Rename an organization, or change its slug',
    description: 'Owners and admins. Recorded as `organization.updated`.',
  })
  @ApiOkResponse({ type: OrganizationResponseDto })
  @ApiProblems(400, SLUG_TAKEN, 413, 415)
  @ApiUuidParam('id', 'The organization.')
  async update(
    @CurrentMembership() membership: OrganizationMembership,
    @Body() body: UpdateOrganizationDto,
  ): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(await this.organizations.update(membership, body), membership.role);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access({ organization: 'organizations:delete', recentAuthentication: true })
  @ApiOperation({
    operationId: 'organizations_delete',
    summary: 'Delete an organization',
    description:
      'Owners only, with a recent sign-in, repeating its slug as `confirm`. Its memberships and invitations go with it; sessions that had selected it lose their `org_id` at their next refresh. Recorded as `organization.deleted`.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400)
  @ApiUuidParam('id', 'The organization.')
  async delete(
    @CurrentMembership() membership: OrganizationMembership,
    @Query() query: DeleteOrganizationQuery,
  ): Promise<void> {
    await this.organizations.delete(membership, query.confirm);
  }

  @Post(':id/leave')
  @HttpCode(204)
  @Access({ organization: 'organizations:read' })
  @ApiOperation({
    operationId: 'organizations_leave',
    summary: 'Leave an organization',
    description: 'The last owner cannot leave (409). Recorded as `organization.member-left`.',
  })
  @ApiNoContentResponse({ description: 'You are no longer a member.' })
  @ApiProblems(400, LAST_OWNER)
  @ApiUuidParam('id', 'The organization.')
  async leave(
    @CurrentPrincipal() principal: Principal,
    @CurrentMembership() membership: OrganizationMembership,
  ): Promise<void> {
    await this.members.leave(principal.userId, membership.organizationId);
  }

  @Get(':id/audit-events')
  @Access({ organization: 'audit:read', scope: 'organizations:read' })
  @ApiOperation({
    operationId: 'organizations_listAuditEvents',
    summary: "An organization's audit events (owners and admins)",
    description: 'What happened in the organization, newest first: its changes, members and invitations.',
  })
  @ApiPageResponse(AuditEventPageDto)
  @ApiProblems(400)
  @ApiUuidParam('id', 'The organization.')
  async auditEvents(
    @CurrentMembership() membership: OrganizationMembership,
    @Query() query: PageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuditEventPageDto> {
    const page = await this.audit.list({ organizationId: membership.organizationId }, query);
    const path = `organizations/${membership.organizationId}/audit-events`;
    if (page.nextCursor) void reply.header('link', this.pages.nextLink(path, query, page.nextCursor));
    return { items: page.items.map(AuditEventResponseDto.from), nextCursor: page.nextCursor };
  }
}
