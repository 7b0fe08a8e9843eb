import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { AccountSuspendedError } from '../auth/auth.errors.js';
import { MfaChallenges } from '../auth/mfa-challenges.js';
import type { Principal } from '../access/principal.js';
import { SessionsService } from '../auth/sessions.service.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MfaResetService } from '../mfa/mfa-reset.service.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import type { User } from '../users/entities/user.entity.js';
import { canonicalEmail } from '../users/email-address.js';
import { UsersService } from '../users/users.service.js';
import { ACCOUNT_EMAIL_QUEUE, type AccountEmailJob } from './account-email.job.js';
import { InvalidAccountTokenError, UserSuspendedError } from './account-emails.errors.js';
import { AccountLinks } from './account-links.js';
import { AccountTokensRepository } from './account-tokens.repository.js';

/**
 * Email verification and password reset: asking for the mails, and spending their links. Spending
 * one is a transaction: the token goes, the account changes (through UsersService, the table's
 * owner) and, on a reset, every session ends (through SessionsService), or nothing does. An email
 * change is `EmailChangeService`'s; what every link shares is `AccountLinks`'.
 */
@Injectable()
export class AccountEmailsService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly links: AccountLinks,
    private readonly tokens: AccountTokensRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly transactions: Transactions,
    private readonly jobs: JobsService,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly challenges: MfaChallenges,
    private readonly secondFactors: MfaResetService,
    private readonly notices: SecurityNotices,
    private readonly audit: AuditLog,
  ) {}

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.links.spend('verify-email', token, async (user, _spent, transaction) => {
      await this.users.markEmailVerified(user.id, transaction);
      await this.audit.record({ type: 'email.verified', subjectUserId: user.id }, transaction);
    });
    this.logger.log(`email verified (user ${userId})`);
  }

  /** Queues a new verification mail (none when the address is verified already). */
  async resendVerification(principal: Principal): Promise<void> {
    await this.links.throttle(principal.userId);
    if (principal.user.emailVerified) return;
    await this.send({ kind: 'verify-email', userId: principal.userId });
  }

  /** The same work whatever the email: the worker finds out whether an account has it. */
  async forgotPassword(email: string): Promise<void> {
    await this.links.throttle(canonicalEmail(email));
    await this.send({ kind: 'reset-password', email });
  }

  /**
   * An admin's reset for a user who cannot sign in: the same mail as forgot-password, under the same
   * per-address limit (so a reset asked for by both counts twice, and neither floods the inbox).
   */
  async sendPasswordReset(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    if (user.status === 'suspended') throw new UserSuspendedError();
    await this.links.throttle(canonicalEmail(user.email));
    await this.send({ kind: 'reset-password', email: user.email });
    this.logger.log(`password reset mailed at an admin's request (user ${user.id})`);
  }

  /**
   * Spends the reset token: a new password, the address counted as verified (the link proved the
   * user reads it), every session, pending sign-in and other link of the account ended (I5). On an
   * address nobody had proved before, whoever set the account up may not be the mailbox's owner, so
   * their second factors go too (I1: account pre-hijacking). The token is checked before the
   * password is hashed, so that a dead link costs no hash. A suspended account's link is refused and
   * left unspent.
   */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    const holder = await this.links.holderOf('reset-password', hashOpaqueToken(token));
    if (!holder) throw new InvalidAccountTokenError();
    if (holder.status === 'suspended') throw new AccountSuspendedError();
    await this.passwordPolicy.check(newPassword, holder.email, 'newPassword', [holder.name]);
    const passwordHash = await this.hasher.hash(newPassword);
    const userId = await this.links.spend('reset-password', token, async (user, _spent, transaction) => {
      // Suspended since the check above: the transaction rolls back, the token stays unspent.
      if (user.status === 'suspended') throw new AccountSuspendedError();
      await this.reclaim(user, passwordHash, { removeFactors: !user.emailVerified }, transaction);
    });
    this.logger.log(`password reset; every session ended (user ${userId})`);
  }

  /**
   * An operator's reset (`npm run cli -- create-admin --reset`): what a reset link does, and every
   * second factor removed too, since the operator vouches for the address, not for whoever set the
   * account up.
   */
  async resetByOperator(userId: string, newPassword: string): Promise<void> {
    const user = await this.users.getById(userId);
    await this.passwordPolicy.check(newPassword, user.email, 'password', [user.name]);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (transaction) => {
      const locked = await this.users.getForUpdate(userId, transaction);
      await this.reclaim(locked, passwordHash, { removeFactors: true }, transaction);
    });
    this.logger.warn(`account reset by an operator (user ${userId})`);
  }

  /**
   * The mailbox's owner takes the account: a new password, the address verified, and every session,
   * pending sign-in and other link ended (I5); with `removeFactors`, every second factor too (I1).
   */
  private async reclaim(
    user: User,
    passwordHash: string,
    { removeFactors }: { removeFactors: boolean },
    transaction: Transaction,
  ): Promise<void> {
    await this.users.setPasswordHash(user.id, passwordHash, transaction);
    await this.users.markEmailVerified(user.id, transaction);
    await this.sessions.endAllOf(user.id, { transaction });
    await this.tokens.deleteAllOf(user.id, undefined, transaction);
    if (removeFactors) await this.secondFactors.removeAllOf(user, transaction);
    else await this.challenges.forgetAllOf(user.id, transaction);
    const details = user.emailVerified ? undefined : { reclaimed: true };
    await this.audit.record(
      { type: 'password.reset-completed', subjectUserId: user.id, details },
      transaction,
    );
    await this.notices.send(user.id, 'password-reset', transaction);
  }

  private send(job: AccountEmailJob): Promise<void> {
    return this.jobs.enqueue(ACCOUNT_EMAIL_QUEUE, job);
  }
}
