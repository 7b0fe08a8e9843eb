import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Retention } from '../jobs/retention.js';
import { IdempotentRequest } from './entities/idempotent-request.entity.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
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
 * Safe retries for the API: routes opt in with `@Idempotent()` (metadata only, so the modules that
 * declare such routes load in the worker and the CLI without this one).
 */
@Module({
  imports: [IdempotentRequestsRetentionModule],
  providers: [IdempotentRequests, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
})
export class IdempotencyModule {}
