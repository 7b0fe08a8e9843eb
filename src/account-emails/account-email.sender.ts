import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AuditLog, type AuditRecord } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { newOpaqueToken } from '../common/opaque-tokens.js';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { durationInWords } from '../config/environment.js';
import { Transactions } from '../database/transactions.js';
import { DomainEvents } from '../events/domain-events.js';
import type { JobContext } from '../jobs/job-runner.js';
import { JobsService } from '../jobs/jobs.service.js';
import { Mailer } from '../mail/mailer.js';
import { UsersService } from '../users/users.service.js';
import { ACCOUNT_EMAIL_QUEUE, type AccountEmailJob } from './account-email.job.js';
import {
  renderAccountEmail,
  type AccountEmailDetails,
  type AccountEmailTemplate,
} from './account-email.templates.js';
import { RequestContext } from '../common/request-context.js';
import { SECURITY_NOTICE_QUEUE, type SecurityNoticeJob } from '../security-notices/security-notices.js';
import { bindingOf } from './account-token-binding.js';
import { AccountTokensRepository } from './account-tokens.repository.js';
import type { User } from '../users/entities/user.entity.js';
import type { AccountToken, AccountTokenPurpose } from './entities/account-token.entity.js';

/** Works the account-email queue: makes the token, writes the mail, sends it. */
@Injectable()
export class AccountEmailSender implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly users: UsersService,
    private readonly tokens: AccountTokensRepository,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly context: RequestContext,
    private readonly events: DomainEvents,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.defineQueue<AccountEmailJob>(ACCOUNT_EMAIL_QUEUE, (job, context) => this.send(job, context));
    this.jobs.defineQueue<SecurityNoticeJob>(SECURITY_NOTICE_QUEUE, (job) => this.sendSecurityNotice(job));
    // A new account's welcome mail (with its verification link), queued in the sign-up's transaction.
    this.events.on('account.signed-up', ({ userId }, transaction) =>
      this.jobs.enqueue<AccountEmailJob>(ACCOUNT_EMAIL_QUEUE, { kind: 'welcome', userId }, transaction),
    );
  }

  /**
   * A security notice (I3) to the account's address (or the one the job names): what happened,
   * when, and from which client, as the request that queued it saw it; an administrator's action
   * names no client (I7). No token and no link.
   */
  async sendSecurityNotice(job: SecurityNoticeJob): Promise<void> {
    const user = await this.users.findById(job.userId);
    if (!user) return;
    const origin = this.context.origin();
    const by =
      job.byAdministrator || origin.via === 'cli'
        ? 'an administrator'
        : `${origin.userAgent ? `a client that calls itself “${origin.userAgent}”` : 'a client that gave no name'} at the address ${origin.ipAddress ?? 'unknown'}`;
    const when = `${job.at.slice(0, 16).replace('T', ' ')} UTC`;
    await this.mail(job.to ?? user.email, job.notice, user, undefined, {
      when,
      by,
      newEmail: job.newEmail,
      factor: job.factor,
      remaining: job.remaining,
      apiKey: job.apiKey,
    });
  }

  send(job: AccountEmailJob, context: JobContext): Promise<void> {
    switch (job.kind) {
      case 'welcome':
      case 'verify-email':
        return this.sendVerification(job.kind, job.userId);
      case 'reset-password':
        return this.sendReset(job.email, context.retryCount === 0);
      case 'change-email':
        return this.sendEmailChange(job.userId, new Date(job.requestedAt));
      case 'email-change-notice':
        return this.sendEmailChangeNotice(job);
    }
  }

  /** A welcome (with a link while the address is unverified), or a verification link. */
  private async sendVerification(kind: 'welcome' | 'verify-email', userId: string): Promise<void> {
    // Deleted since: nobody to write to. A verified address needs no link (a welcome comes without).
    const user = await this.users.findById(userId);
    if (!user || (kind === 'verify-email' && user.emailVerified)) return;
    const link = user.emailVerified ? undefined : await this.newLink('verify-email', user);
    await this.mail(user.email, kind, user, link);
  }

  /**
   * The reset link, if the address has an active account. Its first attempt records
   * `password.reset-requested` with the link's token (here, not in the request: the request must
   * not tell whether the address has an account), as the request that queued it.
   */
  private async sendReset(email: string, firstAttempt: boolean): Promise<void> {
    const user = await this.users.findByEmail(email);
    // No such account, or a suspended one (which could not use the link): nobody to write to. The
    // job still reaches the SMTP server, so that it fails when that is away as a known address's
    // does: its outcome (in the job metrics) must not tell whether the address has an account.
    if (!user || user.status === 'suspended') return this.mailer.probe();
    const event = firstAttempt
      ? ({ type: 'password.reset-requested', subjectUserId: user.id } as const)
      : undefined;
    await this.mail(user.email, 'reset-password', user, await this.newLink('reset-password', user, event));
  }

  /**
   * The link to the new address of the email change asked for at `requestedAt` (its row, made by the
   * request, gets the link's token), or, when another account has that address, a notice to it
   * and no link at all. Nothing when the request is gone (a later one replaced it), or no longer
   * matches its account (the password or the address changed meanwhile, or it was suspended).
   */
  private async sendEmailChange(userId: string, requestedAt: Date): Promise<void> {
    const pending = await this.tokens.pendingEmailChange(userId, requestedAt);
    if (!pending?.newEmail) return;
    const user = await this.users.findById(userId);
    const live = user?.status === 'active' && pending.boundTo.equals(bindingOf('change-email', user));
    if (!live) return this.tokens.discardEmailChange(userId, requestedAt);
    const holder = await this.users.findByEmail(pending.newEmail);
    if (holder) {
      // Discarded once the notice is out, so that a retry after a failed send still sends it.
      await this.mail(holder.email, 'email-change-taken', holder);
      return this.tokens.discardEmailChange(userId, requestedAt);
    }
    const link = this.linkFor('change-email', user);
    // A retry gives the change its own link in place of this attempt's: nothing to delete on failure.
    if (await this.tokens.issueEmailChange(userId, requestedAt, link.row.tokenHash, link.row.expiresAt))
      await this.mail(pending.newEmail, 'change-email', user, link);
  }

  /** Tells the address the account had when the change was asked for; no token, no link. */
  private async sendEmailChangeNotice(job: Extract<AccountEmailJob, { kind: 'email-change-notice' }>) {
    const user = await this.users.findById(job.userId);
    if (user) await this.mail(job.to, 'email-change-notice', user, undefined, { newEmail: job.newEmail });
  }

  private async mail(
    to: string,
    template: AccountEmailTemplate,
    user: User,
    link?: Link,
    details: Omit<AccountEmailDetails, 'name' | 'link' | 'validFor'> = {},
  ): Promise<void> {
    const validFor = link && durationInWords(link.ttlSeconds);
    const mail = renderAccountEmail(template, { name: user.name, link: link?.url, validFor, ...details });
    try {
      await this.mailer.send({ to, ...mail });
    } catch (error) {
      // This attempt's link never reached anyone; the retry makes a new one.
      if (link?.stored) await this.tokens.delete(link.row.tokenHash);
      throw error;
    }
  }

  private ttlSeconds(purpose: AccountTokenPurpose): number {
    const { passwordResetTtlSeconds, verifyEmailTtlSeconds, emailChangeTtlSeconds } = this.auth;
    return {
      'reset-password': passwordResetTtlSeconds,
      'verify-email': verifyEmailTtlSeconds,
      'change-email': emailChangeTtlSeconds,
    }[purpose];
  }

  /** A stored link: `<APP_PUBLIC_URL>/<page>?token=…`. */
  private async newLink(purpose: AccountTokenPurpose, user: User, event?: AuditRecord): Promise<Link> {
    const link = this.linkFor(purpose, user);
    await this.transactions.run(async (transaction) => {
      await this.tokens.insert(link.row, transaction);
      if (event) await this.audit.record(event, transaction);
    });
    return { ...link, stored: true };
  }

  /** A link and the row of its token, not stored yet; never built from a request's headers. */
  private linkFor(purpose: AccountTokenPurpose, user: User): Link {
    const now = this.clock.now();
    const ttlSeconds = this.ttlSeconds(purpose);
    const { token, hash } = newOpaqueToken();
    const row: AccountToken = {
      tokenHash: hash,
      purpose,
      userId: user.id,
      boundTo: bindingOf(purpose, user),
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    };
    return {
      url: `${this.app.publicUrl}/${LINK_PAGES[purpose]}?token=${token}`,
      row,
      ttlSeconds,
      stored: false,
    };
  }
}

/** The page of the front end each link opens, which posts its token to the API. */
const LINK_PAGES: Record<AccountTokenPurpose, string> = {
  'verify-email': 'verify-email',
  'reset-password': 'reset-password',
  'change-email': 'confirm-email-change',
};

interface Link {
  url: string;
  row: AccountToken;
  ttlSeconds: number;
  /** Stored on its own (and deleted again when its mail fails), not in the place of a request. */
  stored: boolean;
}
