import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SessionPrincipal } from '../access/principal.js';
import { AuditLog } from '../audit/audit-log.js';
import { AccountSuspendedError } from '../auth/auth.errors.js';
import { CredentialChecks } from '../auth/credential-checks.js';
import { SessionsService } from '../auth/sessions.service.js';
import { Clock } from '../common/clock.js';
import { newOpaqueToken } from '../common/opaque-tokens.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions } from '../database/transactions.js';
import { JobsService } from '../jobs/jobs.service.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { canonicalEmail } from '../users/email-address.js';
import { UsersService } from '../users/users.service.js';
import { ACCOUNT_EMAIL_QUEUE } from './account-email.job.js';
import { AccountLinks } from './account-links.js';
import { bindingOf } from './account-token-binding.js';
import { AccountTokensRepository } from './account-tokens.repository.js';

/**
 * A signed-in user's new email address: asked for with the current password, confirmed by a link
 * sent to the new address, told to both.
 */
@Injectable()
export class EmailChangeService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly links: AccountLinks,
    private readonly tokens: AccountTokensRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly credentials: CredentialChecks,
    private readonly transactions: Transactions,
    private readonly jobs: JobsService,
    private readonly notices: SecurityNotices,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  /**
   * Asks for an email change: checks the new address and the current password (under the login
   * lock), then, in one transaction, replaces any change asked for before with this one and queues
   * its two mails. The request does the same work whether or not another account has the address:
   * the worker finds that out, and writes to it instead of sending a link (account-email.sender.ts).
   */
  async request(principal: SessionPrincipal, newEmail: string, currentPassword: string): Promise<void> {
    const user = principal.user;
    this.users.checkNewEmail(user, newEmail);
    await this.credentials.checkCurrentPassword(user, currentPassword);
    await this.links.throttle(user.id);
    await this.links.throttle(canonicalEmail(newEmail));
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
  async confirm(token: string): Promise<void> {
    const userId = await this.links.spend('change-email', token, async (user, spent, transaction) => {
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
}
