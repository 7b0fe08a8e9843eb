import { Injectable, Logger } from '@nestjs/common';
import { OrganizationNotFoundError } from '../access/access.errors.js';
import type { OrganizationMembership, Principal } from '../access/principal.js';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { positionAfter, toPage } from '../common/pagination/keyset-cursor.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import type { Organization } from './entities/organization.entity.js';
import { EmailNotVerifiedError, SlugNotConfirmedError } from './organizations.errors.js';
import { OrganizationsRepository, type MyOrganization } from './organizations.repository.js';

export interface OrganizationChanges {
  name?: string;
  slug?: string;
}

/** Organizations themselves: made by a verified account (their first owner), renamed, deleted. */
@Injectable()
export class OrganizationsService {
  private readonly logger = new Logger('OrganizationsService');

  constructor(
    private readonly repository: OrganizationsRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async create(principal: Principal, request: { name: string; slug: string }): Promise<Organization> {
    if (!principal.user.emailVerified) throw new EmailNotVerifiedError();
    const now = this.clock.now();
    const organization = await this.transactions.run(async (transaction) => {
      const created = await this.repository.insert(
        { name: request.name, slug: request.slug, createdAt: now, updatedAt: now },
        transaction,
      );
      await this.repository.addMember(
        { organizationId: created.id, userId: principal.userId, role: 'owner', createdAt: now },
        transaction,
      );
      await this.record('organization.created', created, principal.userId, transaction);
      return created;
    });
    this.logger.log(`organization created (${organization.id} by user ${principal.userId})`);
    return organization;
  }

  /** The caller's organizations, the most recently joined first. */
  async listOf(
    userId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: MyOrganization[]; next: string | null }> {
    const rows = await this.repository.listOf(userId, positionAfter(page.cursor), page.limit + 1);
    return toPage(rows, page.limit);
  }

  /** The organization the guard found the caller a member of. */
  async get(organizationId: string): Promise<Organization> {
    const organization = await this.repository.findById(organizationId);
    // Deleted between the guard's read and this one: as if it never existed.
    if (!organization) throw new OrganizationNotFoundError();
    return organization;
  }

  async update(membership: OrganizationMembership, changes: OrganizationChanges): Promise<Organization> {
    return this.transactions.run(async (transaction) => {
      const organization = await this.lock(membership.organizationId, transaction);
      // A member left out of the body (or sent as undefined by the validation pipe) stays as it was.
      const next = {
        ...organization,
        name: changes.name ?? organization.name,
        slug: changes.slug ?? organization.slug,
        updatedAt: this.clock.now(),
      };
      await this.repository.update(
        organization.id,
        { name: next.name, slug: next.slug, updatedAt: next.updatedAt },
        transaction,
      );
      await this.record('organization.updated', next, null, transaction);
      return next;
    });
  }

  /** Deletes it with its memberships and invitations, if `confirm` is its slug. Owners only (the guard). */
  async delete(membership: OrganizationMembership, confirm: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const organization = await this.lock(membership.organizationId, transaction);
      if (confirm !== organization.slug) throw new SlugNotConfirmedError();
      await this.repository.delete(organization.id, transaction);
      await this.record('organization.deleted', organization, null, transaction);
    });
    this.logger.log(`organization deleted (${membership.organizationId})`);
  }

  private async lock(id: string, transaction: Transaction): Promise<Organization> {
    const organization = await this.repository.findForUpdate(id, transaction);
    if (!organization) throw new OrganizationNotFoundError();
    return organization;
  }

  private record(
    type: 'organization.created' | 'organization.updated' | 'organization.deleted',
    organization: Organization,
    subjectUserId: string | null,
    transaction: Transaction,
  ): Promise<void> {
    return this.audit.record(
      {
        type,
        subjectUserId,
        organizationId: organization.id,
        details: { organizationSlug: organization.slug },
      },
      transaction,
    );
  }
}
