import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { Clock } from '../common/clock.js';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { RedisConnection } from '../redis/redis.module.js';

interface Entry {
  failures: number;
  locks: number;
  lockedUntil: number;
  lastFailure: number;
}

const FORGET_AFTER_MS = 24 * 3600 * 1000;
const MAX_LOCK_MS = 24 * 3600 * 1000;
/** Bounds memory under a flood of distinct emails; the oldest entries go first. */
const MAX_ENTRIES = 100_000;

/** Where lockout entries live: this process, or Redis (shared by every instance) with REDIS_URL. */
interface LockoutStore {
  get(key: string): Promise<Entry | undefined>;
  set(key: string, entry: Entry): Promise<void>;
  delete(key: string): Promise<void>;
}

class MemoryStore implements LockoutStore {
  private readonly entries = new Map<string, Entry>();
  async get(key: string) {
    return this.entries.get(key);
  }
  async set(key: string, entry: Entry) {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
  async delete(key: string) {
    this.entries.delete(key);
  }
}

/** Entries expire a day after the last failure, as they are forgotten then anyway. */
class RedisStore implements LockoutStore {
  constructor(private readonly redis: Redis) {}
  async get(key: string) {
    const value = await this.redis.get(key);
    return value ? (JSON.parse(value) as Entry) : undefined;
  }
  async set(key: string, entry: Entry) {
    await this.redis.set(key, JSON.stringify(entry), 'PX', FORGET_AFTER_MS);
  }
  async delete(key: string) {
    await this.redis.del(key);
  }
}

/**
 * Locks an email after AUTH_LOCKOUT_THRESHOLD failed logins, for AUTH_LOCKOUT_DURATION, twice as long
 * at each further lock (up to a day); forgotten a day after the last failure [ASVS 6.3.1]. Unknown
 * emails are counted like known ones, so the lock reveals nothing. With REDIS_URL every instance
 * shares the state (keyed by a hash of the email, so Redis holds no addresses); otherwise it lives in
 * this process. Concurrent failures on two instances may count as one: a lock a little late, never
 * a wrong one.
 */
@Injectable()
export class LoginLockout {
  private readonly store: LockoutStore;

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    @Inject(rateLimitConfig.KEY) private readonly rateLimit: RateLimitConfig,
    private readonly clock: Clock,
    redis: RedisConnection,
  ) {
    this.store = redis.client ? new RedisStore(redis.client) : new MemoryStore();
  }

  /** Seconds until the email may try again; 0 when it is not locked. */
  async retryAfterSeconds(email: string): Promise<number> {
    if (!this.rateLimit.enabled) return 0;
    const entry = await this.store.get(key(email));
    const remaining = (entry?.lockedUntil ?? 0) - this.clock.now().getTime();
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  /** Counts a failure; the seconds of the lock it started, or 0. */
  async recordFailure(email: string): Promise<number> {
    if (!this.rateLimit.enabled) return 0;
    const now = this.clock.now().getTime();
    const id = key(email);
    const previous = await this.store.get(id);
    const entry =
      previous && now - previous.lastFailure < FORGET_AFTER_MS
        ? previous
        : { failures: 0, locks: 0, lockedUntil: 0, lastFailure: now };
    entry.failures += 1;
    entry.lastFailure = now;
    let lockedMs = 0;
    if (entry.failures >= this.auth.lockoutThreshold) {
      lockedMs = Math.min(this.auth.lockoutSeconds * 1000 * 2 ** entry.locks, MAX_LOCK_MS);
      entry.lockedUntil = now + lockedMs;
      entry.locks += 1;
      entry.failures = 0;
    }
    await this.store.set(id, entry);
    return Math.ceil(lockedMs / 1000);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.store.delete(key(email));
  }
}

const key = (email: string) => `lockout:${createHash('sha256').update(email.toLowerCase()).digest('hex')}`;
