import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions } from '../database/transactions.js';
import { Retention, type RetentionPolicy } from '../jobs/retention.js';
import { UsersRepository } from './users.repository.js';

/**
 * Accounts whose address nobody verified within AUTH_UNVERIFIED_ACCOUNT_TTL are deleted by the
 * retention job, each recorded as `account.deleted` with `neverVerified`: a squat on someone's
 * address (docs/security-model.md, I1) does not wait for its owner forever. Admins are never
 * deleted this way; `0` turns it off.
 */
@Injectable()
export class UnverifiedAccountsRetention implements RetentionPolicy, OnModuleInit {
  readonly table = 'users_unverified';
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly users: UsersRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly registry: Retention,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
  ) {}

  onModuleInit(): void {
    if (this.auth.unverifiedAccountTtlSeconds === 0) return;
    this.registry.register(this);
  }

  async purge(now: Date, limit: number): Promise<number> {
    const createdBefore = new Date(now.getTime() - this.auth.unverifiedAccountTtlSeconds * 1000);
    const ids = await this.transactions.run(async (transaction) => {
      const deleted = await this.users.deleteUnverified(createdBefore, limit, transaction);
      for (const id of deleted) {
        const event = {
          type: 'account.deleted',
          subjectUserId: id,
          details: { neverVerified: true },
        } as const;
        await this.audit.record(event, transaction);
      }
      return deleted;
    });
    if (ids.length > 0) this.logger.log(`deleted ${ids.length} account(s) never verified`);
    return ids.length;
  }
}
