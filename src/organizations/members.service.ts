import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OrganizationForbiddenError, OrganizationNotFoundError } from '../access/access.errors.js';
import { mayIn, type OrganizationPermission, type OrganizationRole } from '../access/organization-roles.js';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditEventType } from '../audit/audit-event-types.js';
import { positionAfter, toPage } from '../common/pagination/keyset-cursor.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { DomainEvents } from '../events/domain-events.js';
import { ACCOUNT_DELETING } from '../users/users.events.js';
import type { Organization } from './entities/organization.entity.js';
import { LastOwnerError, MemberNotFoundError, OwnersOnlyError } from './organizations.errors.js';
import { OrganizationsRepository, type Member } from './organizations.repository.js';

/**
 * The members of an organization: listed, their roles changed, removed, leaving. Every change
 * locks the organization first and reads the caller's role again under that lock: two owners
 * demoting each other at once queue up, and the second is no longer an owner when its turn comes.
 * An organization always keeps an owner.
 */
@Injectable()
export class MembersService implements OnModuleInit {
  constructor(
    private readonly repository: OrganizationsRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.events.on(ACCOUNT_DELETING, ({ userId }, transaction) => this.releaseOwnedBy(userId, transaction));
  }

  async list(
    organizationId: string,
    query: { limit: number; cursor?: string; search?: string },
  ): Promise<{ items: Member[]; next: string | null }> {
    const after = positionAfter(query.cursor);
    const rows = await this.repository.membersPage(organizationId, query.search, after, query.limit + 1);
    return toPage(rows, query.limit);
  }

  async changeRole(
    actorUserId: string,
    organizationId: string,
    userId: string,
    role: OrganizationRole,
  ): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const { organization, actorRole } = await this.lockAs(
        actorUserId,
        organizationId,
        'members:update',
        transaction,
      );
      const target = await this.memberOf(organization, userId, transaction);
      if (target.role === role) return;
      if ((target.role === 'owner' || role === 'owner') && actorRole !== 'owner') throw new OwnersOnlyError();
      await this.keepAnOwner(organization, target.role, transaction);
      await this.repository.setRole(organization.id, userId, role, transaction);
      await this.record('organization.member-role-changed', organization, userId, transaction, {
        organizationRole: role,
        previousOrganizationRole: target.role,
      });
    });
  }

  /** Removes another member; removing oneself is leaving. */
  async remove(actorUserId: string, organizationId: string, userId: string): Promise<void> {
    if (userId === actorUserId) return this.leave(actorUserId, organizationId);
    await this.transactions.run(async (transaction) => {
      const { organization, actorRole } = await this.lockAs(
        actorUserId,
        organizationId,
        'members:remove',
        transaction,
      );
      const target = await this.memberOf(organization, userId, transaction);
      if (target.role === 'owner' && actorRole !== 'owner') throw new OwnersOnlyError();
      await this.repository.removeMember(organization.id, userId, transaction);
      await this.record('organization.member-removed', organization, userId, transaction, {
        previousOrganizationRole: target.role,
      });
    });
  }

  async leave(userId: string, organizationId: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const { organization, actorRole } = await this.lockAs(
        userId,
        organizationId,
        'organizations:read',
        transaction,
      );
      await this.keepAnOwner(organization, actorRole, transaction);
      await this.repository.removeMember(organization.id, userId, transaction);
      await this.record('organization.member-left', organization, userId, transaction, {
        previousOrganizationRole: actorRole,
      });
    });
  }

  /**
   * An account is being deleted: each organization it owns alone goes with it when it has no other
   * member, and the deletion is refused (409 naming it) when it has others, who would be left
   * without an owner. Its memberships go with the account (a cascade).
   */
  private async releaseOwnedBy(userId: string, transaction: Transaction): Promise<void> {
    for (const owned of await this.repository.ownedBy(userId, transaction)) {
      if (owned.otherOwners > 0) continue;
      if (owned.otherMembers > 0) throw new LastOwnerError(owned.slug);
      await this.repository.delete(owned.id, transaction);
      await this.audit.record(
        {
          type: 'organization.deleted',
          subjectUserId: userId,
          organizationId: owned.id,
          details: { organizationSlug: owned.slug },
        },
        transaction,
      );
    }
  }

  /** The organization locked, and the caller's role in it read under the lock. */
  private async lockAs(
    userId: string,
    organizationId: string,
    permission: OrganizationPermission,
    transaction: Transaction,
  ): Promise<{ organization: Organization; actorRole: OrganizationRole }> {
    const organization = await this.repository.findForUpdate(organizationId, transaction);
    const actor = organization && (await this.repository.membershipOf(organization.id, userId, transaction));
    if (!organization || !actor) throw new OrganizationNotFoundError();
    if (!mayIn(actor.role, permission)) throw new OrganizationForbiddenError();
    return { organization, actorRole: actor.role };
  }

  private async memberOf(organization: Organization, userId: string, transaction: Transaction) {
    const member = await this.repository.membershipOf(organization.id, userId, transaction);
    if (!member) throw new MemberNotFoundError();
    return member;
  }

  /** Throws when a member whose role is `role` stopping being an owner would leave none. */
  private async keepAnOwner(organization: Organization, role: OrganizationRole, transaction: Transaction) {
    if (role === 'owner' && (await this.repository.countOwners(organization.id, transaction)) <= 1)
      throw new LastOwnerError(organization.slug);
  }

  private record(
    type: AuditEventType,
    organization: Organization,
    subjectUserId: string,
    transaction: Transaction,
    details: Record<string, string>,
  ): Promise<void> {
    return this.audit.record(
      {
        type,
        subjectUserId,
        organizationId: organization.id,
        details: { organizationSlug: organization.slug, ...details },
      },
      transaction,
    );
  }
}
