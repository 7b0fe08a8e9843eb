import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisConfig, type RedisConfig } from '../config/redis.config.js';

/**
 * The Redis connection, when REDIS_URL is set (shared rate-limit state across instances); null
 * otherwise. It fails fast instead of queueing commands while Redis is away, so that a request
 * gets a 503 rather than waiting.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis | null;

  constructor(@Inject(redisConfig.KEY) config: RedisConfig) {
    this.client = config.url
      ? new Redis(config.url, {
          connectTimeout: 2_000,
          commandTimeout: 1_000,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          // Reconnect forever, a little slower each time (at most every 2 s).
          retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
        })
      : null;
    // Errors surface on the commands that fail; this keeps ioredis from printing each one.
    this.client?.on('error', () => undefined);
  }

  /** QUIT when connected; otherwise stop reconnecting at once (QUIT would wait for a connection). */
  async onApplicationShutdown(): Promise<void> {
    if (this.client?.status === 'ready') await this.client.quit().catch(() => undefined);
    else this.client?.disconnect();
  }
}

@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
