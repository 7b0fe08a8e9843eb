import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { AccountSuspendedError } from '../auth/auth.errors.js';
import { CredentialChecks } from '../auth/credential-checks.js';
import { MfaChallenges } from '../auth/mfa-challenges.js';
import type { Principal } from '../access/principal.js';
import { SessionsService } from '../auth/sessions.service.js';
import { Clock } from '../common/clock.js';
import { hashOpaqueToken, newOpaqueToken } from '../common/opaque-tokens.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MfaResetService } from '../mfa/mfa-reset.service.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { AccountRateLimit } from '../rate-limit/rate-limit.js';
import type { User } from '../users/entities/user.entity.js';
import { canonicalEmail } from '../users/email-address.js';
import { UsersService } from '../users/users.service.js';
import { ACCOUNT_EMAIL_QUEUE, type AccountEmailJob } from './account-email.job.js';
import { InvalidAccountTokenError, TooManyEmailsError, UserSuspendedError } from './account-emails.errors.js';
import { bindingOf } from './account-token-binding.js';
import { AccountTokensRepository, type SpentToken } from './account-tokens.repository.js';
import type { AccountTokenPurpose } from './entities/account-token.entity.js';

/**
 * Email verification, password reset and email change: asking for the mails, and spending their links. Spending
 * one is a transaction: the token goes, the account changes (through UsersService, the table's
 * owner) and, on a reset, every session ends (through SessionsService), or nothing does.
 */
@Injectable()
export class AccountEmailsService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly tokens: AccountTokensRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly transactions: Transactions,
    private readonly jobs: JobsService,
    private readonly limits: AccountRateLimit,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly credentials: CredentialChecks,
    private readonly challenges: MfaChallenges,
    private readonly secondFactors: MfaResetService,
    private readonly notices: SecurityNotices,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.spend('verify-email', token, async (user, _spent, transaction) => {
      await this.users.markEmailVerified(user.id, transaction);
      await this.audit.record({ type: 'email.verified', subjectUserId: user.id }, transaction);
    });
    this.logger.log(`email verified (user ${userId})`);
  }

  /** Queues a new verification mail (none when the address is verified already). */
  async resendVerification(principal: Principal): Promise<void> {
    await this.throttle(principal.userId);
    if (principal.user.emailVerified) return;
    await this.send({ kind: 'verify-email', userId: principal.userId });
  }

  /** The same work whatever the email: the worker finds out whether an account has it. */
  async forgotPassword(email: string): Promise<void> {
    await this.throttle(canonicalEmail(email));
    await this.send({ kind: 'reset-password', email });
  }

  /**
   * An admin's reset for a user who cannot sign in: the same mail as forgot-password, under the same
   * per-address limit (so a reset asked for by both counts twice, and neither floods the inbox).
   */
  async sendPasswordReset(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    if (user.status === 'suspended') throw new UserSuspendedError();
    await this.throttle(canonicalEmail(user.email));
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
    const holder = await this.holderOf('reset-password', hashOpaqueToken(token));
    if (!holder) throw new InvalidAccountTokenError();
    if (holder.status === 'suspended') throw new AccountSuspendedError();
    await this.passwordPolicy.check(newPassword, holder.email, 'newPassword', [holder.name]);
    const passwordHash = await this.hasher.hash(newPassword);
    const userId = await this.spend('reset-password', token, async (user, _spent, transaction) => {
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

  /**
   * Asks for an email change: checks the new address and the current password (under the login
   * lock), then, in one transaction, replaces any change asked for before with this one and queues
   * its two mails. The request does the same work whether or not another account has the address:
   * the worker finds that out, and writes to it instead of sending a link (account-email.sender.ts).
   */
  async requestEmailChange(principal: Principal, newEmail: string, currentPassword: string): Promise<void> {
    const user = principal.user;
    this.users.checkNewEmail(user, newEmail);
    await this.credentials.checkCurrentPassword(user, currentPassword);
    await this.throttle(user.id);
    await this.throttle(canonicalEmail(newEmail));
    const requestedAt = this.clock.now();
    await this.transactions.run(async (transaction) => {
      await this.tokens.deleteAllOf(user.id, 'change-email', transaction);
      await this.tokens.insert(
        {
          // The request's row: a hash nobody holds the token of, until the worker sends the link.
          tokenHash: newOpaqueToken().hash,
          purpose: 'change-email',
          userId: user.id,
          boundTo: bindingOf('change-email', user),
          newEmail,
          sessionId: principal.sessionId,
          createdAt: requestedAt,
          expiresAt: new Date(requestedAt.getTime() + this.config.emailChangeTtlSeconds * 1000),
        },
        transaction,
      );
      const notice = { kind: 'email-change-notice', userId: user.id, to: user.email, newEmail } as const;
      const change = {
        kind: 'change-email',
        userId: user.id,
        requestedAt: requestedAt.toISOString(),
      } as const;
      for (const job of [notice, change]) await this.jobs.enqueue(ACCOUNT_EMAIL_QUEUE, job, transaction);
      const event = {
        type: 'email.change-requested',
        subjectUserId: user.id,
        details: { newEmail },
      } as const;
      await this.audit.record(event, transaction);
    });
    this.logger.log(`email change asked for (user ${user.id})`);
  }

  /**
   * Spends the email-change token: the account takes the new address (verified: the link proved the
   * user reads it), every other token of the account dies (they went to the old address), and every
   * session ends but the one that asked. A suspended account's token, or one whose address another
   * account took meanwhile, is refused and left unspent.
   */
  async confirmEmailChange(token: string): Promise<void> {
    const userId = await this.spend('change-email', token, async (user, spent, transaction) => {
      if (user.status === 'suspended') throw new AccountSuspendedError();
      await this.users.changeEmail(user.id, spent.newEmail!, transaction);
      await this.tokens.deleteAllOf(user.id, undefined, transaction);
      await this.sessions.endAllOf(user.id, { except: spent.sessionId ?? undefined, transaction });
      const details = { previousEmail: user.email, email: spent.newEmail! };
      await this.audit.record(
        { type: 'email.change-confirmed', subjectUserId: user.id, details },
        transaction,
      );
      // Both addresses hear of it: the previous one may be the owner's, the new one an intruder's.
      const newEmail = spent.newEmail!;
      await this.notices.send(user.id, 'email-changed', transaction, { to: user.email, newEmail });
      await this.notices.send(user.id, 'email-changed', transaction, { newEmail });
    });
    this.logger.log(`email changed; every other session ended (user ${userId})`);
  }

  /**
   * The user a usable token belongs to, without spending it. A suspended user is returned before
   * the binding is compared (the suspension revoked their links), so that the holder of a link is
   * told the account is suspended rather than that the link is wrong.
   */
  private async holderOf(purpose: AccountTokenPurpose, hash: Buffer): Promise<User | null> {
    const found = await this.tokens.findUsable(purpose, hash, this.clock.now());
    const user = found && (await this.users.findById(found.userId));
    if (user?.status === 'suspended') return user;
    return user && found.boundTo.equals(bindingOf(purpose, user)) ? user : null;
  }

  /**
   * Spends the token and applies what it allows, in one transaction with the user's row locked, so
   * that of concurrent uses one succeeds and a concurrent change of what it is bound to wins or loses
   * as a whole. The user's id; `InvalidAccountTokenError` for a token that is unknown, spent, expired
   * or no longer bound to what its user has now.
   */
  private async spend(
    purpose: AccountTokenPurpose,
    token: string,
    apply: (user: User, spent: SpentToken, transaction: Transaction) => Promise<void>,
  ): Promise<string> {
    const userId = await this.transactions.run(async (transaction) => {
      const spent = await this.tokens.spend(purpose, hashOpaqueToken(token), this.clock.now(), transaction);
      const user = spent && (await this.users.findForUpdate(spent.userId, transaction));
      if (!user || !spent.boundTo.equals(bindingOf(purpose, user))) return null;
      await apply(user, spent, transaction);
      return user.id;
    });
    if (!userId) throw new InvalidAccountTokenError();
    return userId;
  }

  private async throttle(account: string): Promise<void> {
    const retryAfter = await this.limits.emailRetryAfter(account);
    if (retryAfter > 0) throw new TooManyEmailsError(retryAfter);
  }

  private send(job: AccountEmailJob): Promise<void> {
    return this.jobs.enqueue(ACCOUNT_EMAIL_QUEUE, job);
  }
}
