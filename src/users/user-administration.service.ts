import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { ifMatchHolds, type EntityTagCondition } from '../common/http/conditional-requests.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import type { User } from './entities/user.entity.js';
import { userETag } from './user-etag.js';
import { UsersRepository, type UserChanges } from './users.repository.js';
import { LastAdminError, UserChangedError, UserNotFoundError } from './users.errors.js';
import { UsersService, type SignUp } from './users.service.js';
import { DomainEvents } from '../events/domain-events.js';
import { ACCOUNT_DELETING } from './users.events.js';

/**
 * What changes an account's standing: its name and role, suspension, deletion, and the first
 * admin. Each change that could leave the service without an active admin takes the admins' lock
 * first (`keepAnActiveAdmin`), so that two admins demoting each other cannot both succeed.
 */
@Injectable()
export class UserAdministration {
  constructor(
    private readonly users: UsersRepository,
    private readonly accounts: UsersService,
    private readonly transactions: Transactions,
    private readonly notices: SecurityNotices,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
  ) {}

  /** Creates an admin, or promotes the user who has this email already (keeping their password). */
  async createAdmin(input: SignUp): Promise<{ user: User; created: boolean }> {
    const existing = await this.accounts.findByEmail(input.email);
    if (existing) return { user: await this.update(existing.id, { role: 'admin' }), created: false };
    return { user: await this.accounts.signUp(input, 'admin'), created: true };
  }

  /**
   * A name or role change; the user as it is now. Members left undefined, or equal to what the user
   * has, are not changes: a patch that changes nothing leaves `updatedAt` where it was. With
   * `ifMatch`, the change is made only if the user's current `ETag` is one of those given, checked
   * with the row locked, so that of two clients that read the same version only the first wins. A
   * demotion may not leave the service without an active admin.
   */
  async update(
    id: string,
    changes: Pick<UserChanges, 'name' | 'role'>,
    ifMatch?: EntityTagCondition,
  ): Promise<User> {
    return this.transactions.run(async (transaction) => {
      // The admins' lock before the row, in the order every admin change takes them.
      const demoting = changes.role !== undefined && changes.role !== 'admin';
      const user = demoting
        ? await this.keepAnActiveAdmin(id, transaction)
        : await this.users.findForUpdate(id, transaction);
      if (!user) throw new UserNotFoundError();
      if (ifMatch && !ifMatchHolds(ifMatch, userETag(user))) throw new UserChangedError();
      const differing = Object.fromEntries(
        Object.entries(changes).filter(
          ([field, value]) => value !== undefined && value !== user[field as keyof User],
        ),
      );
      if (Object.keys(differing).length === 0) return user;
      const updatedAt = this.clock.now();
      if (!(await this.users.update(id, differing, updatedAt, transaction))) throw new UserNotFoundError();
      if (differing.role !== undefined)
        await this.audit.record(
          {
            type: 'account.role-changed',
            subjectUserId: id,
            details: { previousRole: user.role, role: differing.role },
          },
          transaction,
        );
      return { ...user, ...differing, updatedAt };
    });
  }

  /**
   * Stops the account (its sessions are the auth module's to end, in the same transaction). A
   * suspended account stays as it was suspended: the first time and reason are kept.
   */
  async suspend(id: string, reason: string, transaction: Transaction): Promise<User> {
    const user = await this.keepAnActiveAdmin(id, transaction);
    if (user.status === 'suspended') return user;
    const now = this.clock.now();
    const changes = {
      status: 'suspended',
      suspendedAt: now,
      suspensionReason: reason,
      linksRevokedAt: now,
    } as const;
    // The time it answers with is the time it stores: `now`, not a second reading of the clock.
    await this.accounts.change(id, changes, transaction, now);
    await this.audit.record(
      { type: 'account.suspended', subjectUserId: id, details: { suspensionReason: reason } },
      transaction,
    );
    await this.notices.send(id, 'account-suspended', transaction, { byAdministrator: true });
    return { ...user, ...changes, updatedAt: now };
  }

  /** Lets the account sign in again; an active account is left as it is. */
  async unsuspend(id: string): Promise<User> {
    return this.transactions.run(async (transaction) => {
      const user = await this.users.findForUpdate(id, transaction);
      if (!user) throw new UserNotFoundError();
      if (user.status === 'active') return user;
      const changes = { status: 'active', suspendedAt: null, suspensionReason: null } as const;
      const updatedAt = this.clock.now();
      await this.accounts.change(id, changes, transaction, updatedAt);
      await this.audit.record({ type: 'account.unsuspended', subjectUserId: id }, transaction);
      return { ...user, ...changes, updatedAt };
    });
  }

  /**
   * Deletes the account, its sessions and tokens; not the last active admin, nor an account that
   * another module keeps (`account.deleting`: the last owner of an organization with members).
   */
  async delete(id: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      await this.keepAnActiveAdmin(id, transaction);
      await this.events.publish(ACCOUNT_DELETING, { userId: id }, transaction);
      await this.users.delete(id, transaction);
      await this.audit.record({ type: 'account.deleted', subjectUserId: id }, transaction);
    });
  }

  /**
   * Throws `LastAdminError` when `id` is the only active admin, under the lock that every such
   * change takes, so that two admins demoting each other at the same moment cannot both succeed.
   * Returns the user as the lock found them, locked until the transaction ends.
   */
  private async keepAnActiveAdmin(id: string, transaction: Transaction): Promise<User> {
    await this.users.lockAdmins(transaction);
    const user = await this.users.findForUpdate(id, transaction);
    if (!user) throw new UserNotFoundError();
    const active = user.role === 'admin' && user.status === 'active';
    if (active && (await this.users.countOtherActiveAdmins(id, transaction)) === 0)
      throw new LastAdminError();
    return user;
  }
}
