import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { newOpaqueToken } from '../common/opaque-tokens.js';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { durationInWords } from '../config/environment.js';
import { JobsService } from '../jobs/jobs.service.js';
import { Mailer } from '../mail/mailer.js';
import { UsersService } from '../users/users.service.js';
import { ACCOUNT_EMAIL_QUEUE, type AccountEmailJob } from './account-email.job.js';
import { renderAccountEmail } from './account-email.templates.js';
import { bindingOf } from './account-token-binding.js';
import { AccountTokensRepository } from './account-tokens.repository.js';
import type { User } from '../users/entities/user.entity.js';
import type { AccountTokenPurpose } from './entities/account-token.entity.js';

/** Works the account-email queue: makes the token, writes the mail, sends it. */
@Injectable()
export class AccountEmailSender implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly users: UsersService,
    private readonly tokens: AccountTokensRepository,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.defineQueue<AccountEmailJob>(ACCOUNT_EMAIL_QUEUE, (job) => this.send(job));
  }

  async send(job: AccountEmailJob): Promise<void> {
    const { kind } = job;
    const user =
      kind === 'reset-password'
        ? await this.users.findByEmail(job.email)
        : await this.users.findById(job.userId);
    // No such account (a reset for an unknown address), or deleted since: nobody to write to. A reset
    // still reaches the SMTP server, so that the job fails when it is away as a known address's does:
    // its outcome (in the job metrics) must not tell whether the address has an account. A suspended
    // account could not use a reset link, so it gets none, exactly as an unknown address.
    if (!user || (kind === 'reset-password' && user.status === 'suspended')) {
      if (kind === 'reset-password') await this.mailer.probe();
      return;
    }
    const purpose: AccountTokenPurpose = kind === 'reset-password' ? 'reset-password' : 'verify-email';
    // A verified address needs no verification link (a welcome then comes without one).
    const needsLink = purpose === 'reset-password' || !user.emailVerified;
    if (!needsLink && kind === 'verify-email') return;
    const ttlSeconds = this.ttlSeconds(purpose);
    const link = needsLink ? await this.newLink(purpose, user, ttlSeconds) : undefined;
    const mail = renderAccountEmail(kind, {
      name: user.name,
      link: link?.url,
      validFor: durationInWords(ttlSeconds),
    });
    try {
      await this.mailer.send({ to: user.email, ...mail });
    } catch (error) {
      // This attempt's link never reached anyone; the retry makes a new one.
      if (link) await this.tokens.delete(link.hash);
      throw error;
    }
  }

  private ttlSeconds(purpose: AccountTokenPurpose): number {
    return purpose === 'reset-password' ? this.auth.passwordResetTtlSeconds : this.auth.verifyEmailTtlSeconds;
  }

  /** `<APP_PUBLIC_URL>/<purpose>?token=…`, never built from a request's headers. */
  private async newLink(purpose: AccountTokenPurpose, user: User, ttlSeconds: number) {
    const now = this.clock.now();
    const { token, hash } = newOpaqueToken();
    await this.tokens.insert({
      tokenHash: hash,
      purpose,
      userId: user.id,
      boundTo: bindingOf(purpose, user),
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    });
    return { url: `${this.app.publicUrl}/${purpose}?token=${token}`, hash };
  }
}
