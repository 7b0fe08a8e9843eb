import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { Transactions } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { LoginLockout } from './login-lockout.js';
import { MfaChallenges } from './mfa-challenges.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { UserAdministration } from '../users/user-administration.service.js';

/**
 * An admin's controls over another account's access: suspension, signing out everywhere, lifting
 * the login lock. Each is one transaction where it changes two tables (the account's status is the
 * users module's, its sessions this module's).
 */
@Injectable()
export class AccountAccessService {
  private readonly logger = new Logger('AccountAccess');

  constructor(
    private readonly users: UsersService,
    private readonly administration: UserAdministration,
    private readonly sessions: SessionsRepository,
    private readonly sessionsService: SessionsService,
    private readonly lockout: LoginLockout,
    private readonly challenges: MfaChallenges,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Stops the account and ends every session and pending sign-in of it at once (I5); not the last
   * active admin. Its API keys stay, refused until it is unsuspended (I14).
   */
  async suspend(userId: string, reason: string): Promise<User> {
    const user = await this.transactions.run(async (transaction) => {
      const suspended = await this.administration.suspend(userId, reason, transaction);
      await this.sessions.deleteAllOf(userId, undefined, transaction);
      await this.challenges.forgetAllOf(userId, transaction);
      return suspended;
    });
    this.logger.warn(`account suspended (user ${user.id})`);
    return user;
  }

  async unsuspend(userId: string): Promise<User> {
    const user = await this.administration.unsuspend(userId);
    this.logger.log(`account unsuspended (user ${user.id})`);
    return user;
  }

  /**
   * Signs the user out everywhere, pending sign-ins and API keys included (I5, I14); the account
   * itself is untouched.
   * The user must exist.
   */
  async signOutEverywhere(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    await this.transactions.run(async (transaction) => {
      await this.sessionsService.endAllOf(user.id, { transaction });
      await this.challenges.forgetAllOf(user.id, transaction);
      await this.audit.record({ type: 'session.revoked-all', subjectUserId: user.id }, transaction);
    });
    this.logger.log(`every session ended by an admin (user ${user.id})`);
  }

  /** Lifts the lock on the user's address; the user must exist. */
  async unlock(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    await this.lockout.lift(user.email);
    await this.audit.record({ type: 'login.unlocked', subjectUserId: user.id });
    this.logger.log(`login lock lifted (user ${user.id})`);
  }

  /** Lifts the lock on an address, with an account or not (the command line's `unlock`). */
  async unlockAddress(email: string): Promise<void> {
    await this.lockout.lift(email);
    const user = await this.users.findByEmail(email);
    await this.audit.record({ type: 'login.unlocked', subjectUserId: user?.id ?? null });
  }
}
