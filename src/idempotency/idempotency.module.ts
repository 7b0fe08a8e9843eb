import { Global, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Retention } from '../jobs/retention.js';
import { IdempotentRequest } from './entities/idempotent-request.entity.js';
import { IdempotentRequests } from './idempotent-requests.js';
import { IdempotentRequestsRepository } from './idempotent-requests.repository.js';

/** Expired keys are deleted by the retention job, wherever it runs (the API or `npm run worker`). */
@Injectable()
export class IdempotentRequestsRetention implements OnModuleInit {
  constructor(
    private readonly repository: IdempotentRequestsRepository,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register('idempotent_requests', (now, limit) => this.repository.purgeExpired(now, limit));
  }
}

/** The owner of `idempotent_requests`, and its retention: what the worker imports. */
@Module({
  imports: [TypeOrmModule.forFeature([IdempotentRequest])],
  providers: [IdempotentRequestsRepository, IdempotentRequestsRetention],
  exports: [IdempotentRequestsRepository],
})
export class IdempotentRequestsRetentionModule {}

/**
 * Safe retries for the API: routes opt in with `@Idempotent()`, whose interceptor finds
 * `IdempotentRequests` here (global, so that every module declaring such a route reaches it; where
 * this module is not imported, the CLI, those modules still load).
 */
@Global()
@Module({
  imports: [IdempotentRequestsRetentionModule],
  providers: [IdempotentRequests],
  exports: [IdempotentRequests],
})
export class IdempotencyModule {}
