import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { Clock } from '../common/clock.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { RedisConnection } from '../redis/redis.module.js';
import { canonicalEmail } from '../users/email-address.js';

/** What may happen next for one address: check its password now, or wait. */
export type Reservation =
  | {
      allowed: true;
      /** The seconds of the lock this attempt engaged (it was the last allowed), or 0. */ lockedSeconds: number;
    }
  | {
      allowed: false;
      retryAfterSeconds: number;
      /** The first attempt this lock refused: the one worth recording (I6, a bounded write rate). */
      firstRefusal: boolean;
    };

interface Entry {
  /** Attempts since the last lock, each counted before its password was checked. */
  attempts: number;
  locks: number;
  lockedUntil: number;
  last: number;
  /** Attempts the current lock refused. */
  refused?: number;
}

interface Policy {
  threshold: number;
  lockMs: number;
  maxLockMs: number;
  forgetMs: number;
}

const DAY_MS = 24 * 3600 * 1000;
/** Bounds memory under a flood of distinct addresses; the oldest entries go first. */
const MAX_ENTRIES = 100_000;

/**
 * The rule, applied atomically by each store: an address whose lock has not run out is refused;
 * otherwise the attempt is counted, and the attempt that reaches the threshold engages a lock twice
 * as long as the one before (up to a day). An address is forgotten a day after its last attempt.
 */
function reserve(
  previous: Entry | undefined,
  now: number,
  policy: Policy,
): { entry: Entry; outcome: Reservation } {
  const entry =
    previous && now - previous.last < policy.forgetMs
      ? { ...previous }
      : { attempts: 0, locks: 0, lockedUntil: 0, last: now };
  if (entry.lockedUntil > now) {
    entry.refused = (entry.refused ?? 0) + 1;
    const retryAfterSeconds = Math.ceil((entry.lockedUntil - now) / 1000);
    return { entry, outcome: { allowed: false, retryAfterSeconds, firstRefusal: entry.refused === 1 } };
  }
  entry.attempts += 1;
  entry.last = now;
  let lockedMs = 0;
  if (entry.attempts >= policy.threshold) {
    lockedMs = Math.min(policy.lockMs * 2 ** entry.locks, policy.maxLockMs);
    entry.lockedUntil = now + lockedMs;
    entry.locks += 1;
    entry.attempts = 0;
    entry.refused = 0;
  }
  return { entry, outcome: { allowed: true, lockedSeconds: Math.ceil(lockedMs / 1000) } };
}

/** The same rule in one Redis script, so that every instance reserves atomically on one key. */
const RESERVE_SCRIPT = `
local now, threshold, lockMs, maxLockMs, forgetMs =
  tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local entry = { attempts = 0, locks = 0, lockedUntil = 0, last = now }
local stored = redis.call('GET', KEYS[1])
if stored then
  local previous = cjson.decode(stored)
  if now - previous.last < forgetMs then entry = previous end
end
if entry.lockedUntil > now then
  entry.refused = (entry.refused or 0) + 1
  redis.call('SET', KEYS[1], cjson.encode(entry), 'KEEPTTL')
  return { 0, math.ceil((entry.lockedUntil - now) / 1000), entry.refused }
end
entry.attempts = entry.attempts + 1
entry.last = now
local locked = 0
if entry.attempts >= threshold then
  locked = math.min(lockMs * 2 ^ entry.locks, maxLockMs)
  entry.lockedUntil = now + locked
  entry.locks = entry.locks + 1
  entry.attempts = 0
  entry.refused = 0
end
redis.call('SET', KEYS[1], cjson.encode(entry), 'PX', forgetMs)
return { 1, math.ceil(locked / 1000) }
`;

/** Where entries live: this process, or Redis (shared by every instance) with REDIS_URL. */
interface LockoutStore {
  reserve(key: string, now: number, policy: Policy): Promise<Reservation>;
  delete(key: string): Promise<void>;
}

/** Atomic because nothing awaits between the read and the write. */
class MemoryStore implements LockoutStore {
  private readonly entries = new Map<string, Entry>();

  async reserve(key: string, now: number, policy: Policy): Promise<Reservation> {
    const { entry, outcome } = reserve(this.entries.get(key), now, policy);
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return outcome;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}

type ReservingRedis = Redis & {
  gatehouseReserveAttempt(key: string, ...args: number[]): Promise<[number, number, number?]>;
};

/**
 * Entries expire a day after the last attempt, as they are forgotten then anyway. While Redis is
 * away every call fails at once (DependencyUnavailableError, a 503): counting in this process
 * instead would give each instance a lock of its own, N × the guesses (docs/operations.md, "When
 * Redis is away").
 */
class RedisStore implements LockoutStore {
  constructor(private readonly connection: RedisConnection) {
    connection.client!.defineCommand('gatehouseReserveAttempt', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
  }

  async reserve(key: string, now: number, policy: Policy): Promise<Reservation> {
    const [allowed, seconds, refused] = await this.connection.run((redis) =>
      (redis as ReservingRedis).gatehouseReserveAttempt(
        key,
        now,
        policy.threshold,
        policy.lockMs,
        policy.maxLockMs,
        policy.forgetMs,
      ),
    );
    return allowed
      ? { allowed: true, lockedSeconds: seconds }
      : { allowed: false, retryAfterSeconds: seconds, firstRefusal: refused === 1 };
  }

  async delete(key: string): Promise<void> {
    await this.connection.run((redis) => redis.del(key));
  }
}

/**
 * One lock per account for every check of a password [ASVS 6.3.1]: login, change-password, and
 * whatever else asks for a current password. An attempt is reserved before the password is checked,
 * atomically, so at most AUTH_LOCKOUT_THRESHOLD passwords are ever verified per lock window, however
 * many requests arrive at once and on however many instances (a burst used to have every password
 * verified before the lock counted any); every other attempt gets the 429 without a verification.
 * The lock lasts AUTH_LOCKOUT_DURATION, twice as long at each further lock (up to a day). Unknown
 * addresses are counted like known ones, so the lock reveals nothing. Keyed by a hash of the
 * canonical address (email-address.ts), so Redis holds no addresses and every spelling of one
 * address is one counter. With REDIS_URL every instance shares the state; otherwise it lives here.
 */
@Injectable()
export class LoginLockout {
  private readonly store: LockoutStore;
  private readonly policy: Policy;

  constructor(
    @Inject(authConfig.KEY) auth: AuthConfig,
    @Inject(rateLimitConfig.KEY) private readonly rateLimit: RateLimitConfig,
    private readonly clock: Clock,
    redis: RedisConnection,
  ) {
    this.store = redis.client ? new RedisStore(redis) : new MemoryStore();
    this.policy = {
      threshold: auth.lockoutThreshold,
      lockMs: auth.lockoutSeconds * 1000,
      maxLockMs: DAY_MS,
      forgetMs: DAY_MS,
    };
  }

  /** Asks to check one password of this address now; call `succeeded` when it was the right one. */
  async reserve(email: string): Promise<Reservation> {
    if (!this.rateLimit.enabled) return { allowed: true, lockedSeconds: 0 };
    return this.store.reserve(key(email), this.clock.now().getTime(), this.policy);
  }

  /** The right password: the address starts afresh, its lock lifted. */
  async succeeded(email: string): Promise<void> {
    await this.store.delete(key(email));
  }

  /** An operator lifts the lock of an address (npm run cli -- unlock). */
  async lift(email: string): Promise<void> {
    await this.store.delete(key(email));
  }
}

const key = (email: string) => `lockout:${createHash('sha256').update(canonicalEmail(email)).digest('hex')}`;
