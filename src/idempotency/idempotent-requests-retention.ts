import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Retention, type RetentionPolicy } from '../jobs/retention.js';
import { IdempotentRequestsRepository } from './idempotent-requests.repository.js';

/** Expired keys are deleted by the retention job, wherever it runs (the API or `npm run worker`). */
@Injectable()
export class IdempotentRequestsRetention implements RetentionPolicy, OnModuleInit {
  readonly table = 'idempotent_requests';

  constructor(
    private readonly repository: IdempotentRequestsRepository,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  purge(now: Date, limit: number): Promise<number> {
    return this.repository.purgeExpired(now, limit);
  }
}
