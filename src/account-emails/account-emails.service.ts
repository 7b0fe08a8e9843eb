import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/sessions.repository.js';
import { Clock } from '../common/clock.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import { JobsService } from '../jobs/jobs.service.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { AccountRateLimit } from '../rate-limit/rate-limit.js';
import { ACCOUNT_EMAIL_QUEUE, type AccountEmailJob } from './account-email.job.js';
import { InvalidAccountTokenError, TooManyEmailsError } from './account-emails.errors.js';
import { AccountTokensRepository } from './account-tokens.repository.js';

/** Email verification and password reset: asking for the mails, and spending their links. */
@Injectable()
export class AccountEmailsService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly tokens: AccountTokensRepository,
    private readonly jobs: JobsService,
    private readonly limits: AccountRateLimit,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly clock: Clock,
  ) {}

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.tokens.verifyEmail(hashOpaqueToken(token), this.clock.now());
    if (!userId) throw new InvalidAccountTokenError();
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
    await this.throttle(email.toLowerCase());
    await this.send({ kind: 'reset-password', email });
  }

  /** Spends the reset token: a new password, every session ended. */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    const hash = hashOpaqueToken(token);
    const holder = await this.tokens.findHolder('reset-password', hash, this.clock.now());
    if (!holder) throw new InvalidAccountTokenError();
    this.passwordPolicy.check(newPassword, holder.email, 'newPassword');
    const passwordHash = await this.hasher.hash(newPassword);
    const userId = await this.tokens.resetPassword(hash, passwordHash, this.clock.now());
    // Spent by a concurrent request while this one was hashing.
    if (!userId) throw new InvalidAccountTokenError();
    this.logger.log(`password reset; every session ended (user ${userId})`);
  }

  private async throttle(account: string): Promise<void> {
    const retryAfter = await this.limits.emailRetryAfter(account);
    if (retryAfter > 0) throw new TooManyEmailsError(retryAfter);
  }

  private send(job: AccountEmailJob): Promise<void> {
    return this.jobs.enqueue(ACCOUNT_EMAIL_QUEUE, job);
  }
}
