import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Retention, type RetentionPolicy } from '../jobs/retention.js';
import { AccountTokensRepository } from './account-tokens.repository.js';

/** Expired link tokens are deleted by the retention job (spent ones are gone when spent). */
@Injectable()
export class AccountTokensRetention implements RetentionPolicy, OnModuleInit {
  readonly table = 'account_tokens';

  constructor(
    private readonly tokens: AccountTokensRepository,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  purge(now: Date, limit: number): Promise<number> {
    return this.tokens.purgeExpired(now, limit);
  }
}
