import { Global, Module } from '@nestjs/common';
import { IdempotentRequestsRetentionModule } from './idempotent-requests-retention.module.js';
import { IdempotentRequests } from './idempotent-requests.js';

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
