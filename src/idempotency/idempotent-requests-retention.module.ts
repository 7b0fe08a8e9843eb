import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotentRequest } from './entities/idempotent-request.entity.js';
import { IdempotentRequestsRetention } from './idempotent-requests-retention.js';
import { IdempotentRequestsRepository } from './idempotent-requests.repository.js';

/** The owner of `idempotent_requests`, and its retention: what the worker imports. */
@Module({
  imports: [TypeOrmModule.forFeature([IdempotentRequest])],
  providers: [IdempotentRequestsRepository, IdempotentRequestsRetention],
  exports: [IdempotentRequestsRepository],
})
export class IdempotentRequestsRetentionModule {}
