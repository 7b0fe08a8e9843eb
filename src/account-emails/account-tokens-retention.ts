import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Retention } from '../jobs/retention.js';
import { AccountTokensRepository } from './account-tokens.repository.js';

/** Expired link tokens are deleted by the retention job (spent ones are gone when spent). */
@Injectable()
export class AccountTokensRetention implements OnModuleInit {
  constructor(
    private readonly tokens: AccountTokensRepository,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register('account_tokens', (now, limit) => this.tokens.purgeExpired(now, limit));
  }
}
