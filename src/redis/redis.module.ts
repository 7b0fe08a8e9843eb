import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { DatabaseUnavailableError } from '../common/errors/problem-details.js';
import { redisConfig, type RedisConfig } from '../config/redis.config.js';
import { DependencyUnavailableError } from './redis.errors.js';

/** How long a boot waits for Redis before it serves without it (the routes that need it refuse meanwhile). */
const BOOT_WAIT_MS = 1_000;

/**
 * The Redis connection, when REDIS_URL is set (counters shared across instances); null otherwise.
 * While Redis is away nothing waits for it: commands fail at once instead of queueing, `available`
 * says so, and ioredis reconnects in the background every half second at most, so that the counters
 * are shared again within a second of Redis answering. What each route does meanwhile is decided
 * by the owners of the counters (rate-limit, the login lock) and listed in docs/operations.md,
 * "When Redis is away".
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis | null;
  private readonly logger = new Logger('Redis');
  private up = false;
  private closing = false;

  constructor(@Inject(redisConfig.KEY) config: RedisConfig) {
    this.client = config.url
      ? new Redis(config.url, {
          connectTimeout: 2_000,
          commandTimeout: 1_000,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          retryStrategy: (attempt) => Math.min(attempt * 50, 500),
        })
      : null;
    // Errors surface on the commands that fail; this keeps ioredis from printing each one.
    this.client?.on('error', () => undefined);
    this.client?.on('ready', () => this.changed(true));
    this.client?.on('close', () => this.changed(false));
  }

  /** Whether commands can be sent now: REDIS_URL is set and the connection is ready. */
  get available(): boolean {
    return this.client?.status === 'ready';
  }

  /**
   * Runs commands that need Redis: a DependencyUnavailableError at once when it is away, or when it
   * goes away during them, so that the route that needs it refuses with a 503 instead of waiting.
   */
  async run<T>(commands: (client: Redis) => Promise<T>): Promise<T> {
    if (!this.client || !this.available) throw new DependencyUnavailableError();
    try {
      return await commands(this.client);
    } catch (error) {
      throw DatabaseUnavailableError.matches(error) ? new DependencyUnavailableError() : error;
    }
  }

  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!client || this.available) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, BOOT_WAIT_MS);
      client.once('ready', done);
    });
    if (!this.available) this.logger.warn(AWAY);
  }

  /** QUIT when connected; otherwise stop reconnecting at once (QUIT would wait for a connection). */
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.client?.status === 'ready') await this.client.quit().catch(() => undefined);
    else this.client?.disconnect();
  }

  /** One log line per transition, not per reconnection attempt. */
  private changed(up: boolean): void {
    if (up === this.up || this.closing) return;
    this.up = up;
    if (up) this.logger.log('Redis answers: rate limits and login locks are shared by every instance');
    else this.logger.warn(AWAY);
  }
}

const AWAY =
  'Redis cannot be reached: rate limits count in this instance only, and sign-in, sign-up and the other routes whose safety needs a shared counter answer 503 until it is back';

@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
