import { Body, Controller, Delete, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentMembership, CurrentPrincipal } from '../access/access.decorators.js';
import type { OrganizationMembership, Principal } from '../access/principal.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { PageLinks } from '../common/pagination/page-links.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { ApiPageResponse } from '../common/swagger/api-page.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { setting } from '../common/swagger/documented-settings.js';
import { InvitationPageDto, InvitationResponseDto } from './dto/organization-responses.dto.js';
import { CreateInvitationDto } from './dto/organization-requests.dto.js';
import { InvitationsService } from './invitations.service.js';

/** Invitations to join an organization, for its owners and admins. */
@ApiTags('organizations')
@Controller('organizations/:id/invitations')
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly pages: PageLinks,
  ) {}

  @Post()
  @HttpCode(201)
  @Access({ organization: 'members:invite', scope: 'organizations:write' })
  @ApiOperation({
    operationId: 'organizations_invite',
    summary: 'Invite someone by email',
    description: `Mails a link that works once, for ORG_INVITATION_TTL (${setting('orgInvitationTtl')}), to be accepted by the account with this (verified) address, which may sign up for it. Inviting the address again replaces its invitation (a new link, the new role). Only an owner invites an owner. At most RATE_LIMIT_ORG_INVITATIONS_PER_HOUR (${setting('orgInvitationsPerHour')}) an hour per organization. Recorded as \`organization.invitation-sent\`.`,
  })
  @ApiCreatedResponse({ type: InvitationResponseDto })
  @ApiProblems(
    400,
    {
      status: 409,
      type: 'already-member',
      description: 'The account at this address is a member already (`/problems/already-member`).',
    },
    413,
    415,
    {
      status: 429,
      type: 'too-many-requests',
      description:
        'The organization sent too many invitations this hour (`/problems/too-many-requests`); retry after `Retry-After` seconds.',
    },
  )
  @ApiUuidParam('id', 'The organization.')
  async create(
    @CurrentPrincipal() principal: Principal,
    @CurrentMembership() membership: OrganizationMembership,
    @Body() body: CreateInvitationDto,
  ): Promise<InvitationResponseDto> {
    return InvitationResponseDto.from(await this.invitations.invite(membership, principal.userId, body));
  }

  @Get()
  @Access({ organization: 'members:invite', scope: 'organizations:read' })
  @ApiOperation({
    operationId: 'organizations_listInvitations',
    summary: "An organization's pending invitations",
    description: 'Newest first, expired ones included until the organization sends its next invitation.',
  })
  @ApiPageResponse(InvitationPageDto)
  @ApiProblems(400)
  @ApiUuidParam('id', 'The organization.')
  async list(
    @CurrentMembership() membership: OrganizationMembership,
    @Query() query: PageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvitationPageDto> {
    const page = await this.invitations.list(membership.organizationId, query);
    const path = `organizations/${membership.organizationId}/invitations`;
    if (page.next) void reply.header('link', this.pages.nextLink(path, query, page.next));
    return { items: page.items.map(InvitationResponseDto.from), nextCursor: page.next };
  }

  @Delete(':invitationId')
  @HttpCode(204)
  @Access({ organization: 'members:invite', scope: 'organizations:write' })
  @ApiOperation({
    operationId: 'organizations_revokeInvitation',
    summary: 'Revoke an invitation',
    description: 'Its link stops working at once. Recorded as `organization.invitation-revoked`.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems(400, {
    status: 404,
    type: 'not-found',
    description:
      'No such organization (or you are not a member), or no such invitation in it (`/problems/not-found`).',
  })
  @ApiUuidParam('id', 'The organization.')
  @ApiUuidParam('invitationId', 'The invitation.')
  async revoke(
    @CurrentMembership() membership: OrganizationMembership,
    @UuidParam('invitationId') invitationId: string,
  ): Promise<void> {
    await this.invitations.revoke(membership.organizationId, invitationId);
  }
}
