import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { IdempotentRequest } from './entities/idempotent-request.entity.js';

/** A key as a request presents it. */
export interface KeyedRequest {
  scope: string;
  key: string;
  fingerprint: Buffer;
}

/** A first answer, as it is replayed. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The SQL of `idempotent_requests`. Claiming a key is one statement, so that of many concurrent
 * requests with the same key exactly one gets it; the others find the row it made.
 */
@Injectable()
export class IdempotentRequestsRepository {
  constructor(
    @InjectRepository(IdempotentRequest) private readonly requests: Repository<IdempotentRequest>,
  ) {}

  /**
   * Makes the row of a new key, or takes over one that expired or whose request was abandoned (in
   * progress since before `abandonedBefore`: its process died); true when this claim got it.
   */
  async claim(
    request: KeyedRequest,
    claim: string,
    times: { now: Date; expiresAt: Date; abandonedBefore: Date },
  ): Promise<boolean> {
    const { raw } = await this.requests
      .createQueryBuilder('existing')
      .insert()
      .values({
        ...request,
        claim,
        status: null,
        headers: null,
        body: null,
        createdAt: times.now,
        expiresAt: times.expiresAt,
      })
      .orUpdate(
        ['fingerprint', 'claim', 'status', 'headers', 'body', 'created_at', 'expires_at'],
        ['scope', 'key'],
        {
          upsertType: 'on-conflict-do-update',
          overwriteCondition: {
            where:
              'existing.expires_at <= :now OR (existing.status IS NULL AND existing.created_at < :abandonedBefore)',
            parameters: { now: times.now, abandonedBefore: times.abandonedBefore },
          },
        },
      )
      .returning(['claim'])
      .execute();
    return (raw as { claim: string }[]).some((row) => row.claim === claim);
  }

  /** The row of a key that someone else holds; null when it was released meanwhile. */
  find(scope: string, key: string): Promise<IdempotentRequest | null> {
    return this.requests.findOneBy({ scope, key });
  }

  /** Stores the answer of the request that holds the claim. */
  async complete(scope: string, key: string, claim: string, answer: StoredAnswer): Promise<void> {
    await this.requests.update({ scope, key, claim }, answer);
  }

  /** Frees the key of a request that failed, so that a retry does the work. */
  async release(scope: string, key: string, claim: string): Promise<void> {
    await this.requests.delete({ scope, key, claim });
  }

  /** One batch of the retention job: expired keys, oldest first. */
  async purgeExpired(now: Date, limit: number): Promise<number> {
    const { affected } = await this.requests
      .createQueryBuilder()
      .delete()
      .where(
        '(scope, key) IN (SELECT scope, key FROM idempotent_requests WHERE expires_at <= :now ORDER BY expires_at LIMIT :limit)',
        { now, limit },
      )
      .execute();
    return affected ?? 0;
  }
}
