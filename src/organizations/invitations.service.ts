import { Inject, Injectable } from '@nestjs/common';
import type { OrganizationRole } from '../access/organization-roles.js';
import type { OrganizationMembership, Principal } from '../access/principal.js';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import { positionAfter, toPage } from '../common/pagination/keyset-cursor.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions } from '../database/transactions.js';
import { JobsService } from '../jobs/jobs.service.js';
import { AccountRateLimit } from '../rate-limit/rate-limit.js';
import { canonicalEmail } from '../users/email-address.js';
import { UsersService } from '../users/users.service.js';
import type { Invitation } from './entities/invitation.entity.js';
import type { Organization } from './entities/organization.entity.js';
import { INVITATION_QUEUE, type InvitationJob } from './invitation.job.js';
import { InvitationsRepository } from './invitations.repository.js';
import {
  AlreadyMemberError,
  EmailNotVerifiedError,
  InvalidInvitationError,
  InvitationNotFoundError,
  OwnersOnlyError,
  TooManyInvitationsError,
} from './organizations.errors.js';
import { OrganizationsRepository } from './organizations.repository.js';

/**
 * Invitations to join an organization: sent by mail through the job queue (whose job makes the
 * token, so that no token is ever stored but as a hash), listed, revoked, and accepted by the
 * account whose verified address is the invited one, once.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly invitations: InvitationsRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly jobs: JobsService,
    private readonly limits: AccountRateLimit,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** Invites `email` with `role` (only an owner invites an owner); asking again replaces the invitation. */
  async invite(
    membership: OrganizationMembership,
    inviterId: string,
    request: { email: string; role: OrganizationRole },
  ): Promise<Invitation> {
    if (request.role === 'owner' && membership.role !== 'owner') throw new OwnersOnlyError();
    const invitee = await this.users.findByEmail(request.email);
    if (invitee && (await this.organizations.roleOf(membership.organizationId, invitee.id)))
      throw new AlreadyMemberError();
    const retryAfter = await this.limits.invitationRetryAfter(membership.organizationId);
    if (retryAfter > 0) throw new TooManyInvitationsError(retryAfter);
    const now = this.clock.now();
    return this.transactions.run(async (transaction) => {
      const invitation = await this.invitations.upsert(
        {
          organizationId: membership.organizationId,
          email: request.email,
          emailCanonical: canonicalEmail(request.email),
          role: request.role,
          invitedBy: inviterId,
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.auth.orgInvitationTtlSeconds * 1000),
        },
        transaction,
      );
      await this.jobs.enqueue<InvitationJob>(INVITATION_QUEUE, { invitationId: invitation.id }, transaction);
      await this.audit.record(
        {
          type: 'organization.invitation-sent',
          subjectUserId: invitee?.id ?? null,
          organizationId: membership.organizationId,
          details: { invitationId: invitation.id, organizationRole: request.role },
        },
        transaction,
      );
      return invitation;
    });
  }

  async list(
    organizationId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: Invitation[]; next: string | null }> {
    const rows = await this.invitations.page(organizationId, positionAfter(page.cursor), page.limit + 1);
    return toPage(rows, page.limit);
  }

  async revoke(organizationId: string, id: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const invitation = await this.invitations.delete(organizationId, id, transaction);
      if (!invitation) throw new InvitationNotFoundError();
      await this.audit.record(
        {
          type: 'organization.invitation-revoked',
          subjectUserId: null,
          organizationId,
          details: { invitationId: id, organizationRole: invitation.role },
        },
        transaction,
      );
    });
  }

  /**
   * Makes the caller a member with the invitation's role, and spends it. The caller's verified
   * address must be the invited one; anything else about the token is one 400.
   */
  async accept(
    principal: Principal,
    token: string,
  ): Promise<{ organization: Organization; role: OrganizationRole }> {
    const now = this.clock.now();
    return this.transactions.run(async (transaction) => {
      const invitation = await this.invitations.findLiveByToken(hashOpaqueToken(token), now, transaction);
      const forCaller = invitation && invitation.emailCanonical === principal.user.emailCanonical;
      if (!invitation || !forCaller) throw new InvalidInvitationError();
      if (!principal.user.emailVerified) throw new EmailNotVerifiedError();
      const organization = await this.organizations.findForUpdate(invitation.organizationId, transaction);
      if (!organization) throw new InvalidInvitationError();
      await this.invitations.delete(organization.id, invitation.id, transaction);
      const existing = await this.organizations.membershipOf(organization.id, principal.userId, transaction);
      if (existing) return { organization, role: existing.role };
      await this.organizations.addMember(
        { organizationId: organization.id, userId: principal.userId, role: invitation.role, createdAt: now },
        transaction,
      );
      await this.audit.record(
        {
          type: 'organization.member-added',
          subjectUserId: principal.userId,
          organizationId: organization.id,
          details: {
            organizationSlug: organization.slug,
            organizationRole: invitation.role,
            invitationId: invitation.id,
          },
        },
        transaction,
      );
      return { organization, role: invitation.role };
    });
  }
}
