import type { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import { DependencyUnavailableError } from '../redis/redis.errors.js';
import type { RedisConnection } from '../redis/redis.module.js';

/** Keys of the budgets that refuse while Redis is away, rather than count in this process. */
const STRICT = 'strict:';

/**
 * The key of one budget's counter: a hash of what it counts (as the throttler's own keys are),
 * marked when the budget must be shared to mean anything (a guessing-sensitive route: N instances
 * each counting alone would allow N × the setting).
 */
export const counterKey = (counted: string, { strict }: { strict: boolean }) =>
  (strict ? STRICT : '') + createHash('sha256').update(counted).digest('hex');

/**
 * The throttler's storage with REDIS_URL: the counters in Redis, shared by every instance. While
 * Redis is away a strict key (counterKey) fails with DependencyUnavailableError, a 503, and any
 * other falls back to this process's memory, so that the general per-address limit still holds,
 * per instance, and every other route keeps serving; `rate_limit_fallback_total` counts those, and
 * `redis_up` says whether Redis answers. Nothing waits for Redis: RedisConnection fails at once
 * while it is away.
 */
export class SharedCounters implements ThrottlerStorage, OnApplicationShutdown {
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();
  private readonly fallbacks: Counter;
  /** `redis_up`, read from the connection at every scrape. */
  readonly redisUp: Gauge;

  constructor(
    private readonly redis: RedisConnection,
    registry: Registry,
  ) {
    this.shared = new ThrottlerStorageRedisService(redis.client!);
    this.fallbacks = new Counter({
      name: 'rate_limit_fallback_total',
      help: 'Requests whose per-address limit was counted in this instance alone because Redis could not be reached.',
      registers: [registry],
    });
    this.redisUp = new Gauge({
      name: 'redis_up',
      help: '1 while Redis (REDIS_URL) can be reached, 0 while it is away.',
      registers: [registry],
      collect() {
        this.set(redis.available ? 1 : 0);
      },
    });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const inRedis = () =>
      this.redis.run(() => this.shared.increment(key, ttl, limit, blockDuration, throttlerName));
    if (key.startsWith(STRICT)) return inRedis();
    try {
      return await inRedis();
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      this.fallbacks.inc();
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
