import { startRedisServerOrSkip } from '../../test/support/redis.js';
import type { Clock } from '../common/clock.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { RateLimitConfig } from '../config/rate-limit.config.js';
import { DependencyUnavailableError } from '../redis/redis.errors.js';
import { RedisConnection } from '../redis/redis.module.js';
import { LoginLockout, type Reservation } from './login-lockout.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The same rule in both stores: this process's memory (no REDIS_URL), and the Lua script in a real
 * Redis (a redis-server of the test's own, so that mutation testing runs the script too). Without
 * redis-server on PATH the Redis half is skipped with one line, unless TEST_REQUIRE_SERVICES=true.
 */
const redisServer = await startRedisServerOrSkip('the lock in Redis');
const inRedis = redisServer ? new RedisConnection({ url: redisServer.url }) : null;
await inRedis?.onModuleInit();
const redisClient = inRedis?.client ?? null;
afterAll(async () => {
  await inRedis?.onApplicationShutdown();
  await redisServer?.stop();
});

/** The lock in one store, on a clock the test moves. */
function lockout(store: 'memory' | 'redis', { enabled = true, redis = inRedis } = {}) {
  let now = Date.parse('2026-11-29T12:00:00.000Z');
  const clock = { now: () => new Date(now) } as Clock;
  const subject = new LoginLockout(
    { lockoutThreshold: 3, lockoutSeconds: 60 } as AuthConfig,
    { enabled } as RateLimitConfig,
    clock,
    store === 'redis' ? redis! : new RedisConnection({ url: undefined }),
  );
  const advance = (ms: number) => (now += ms);
  /** `times` wrong passwords; what the last reservation said. */
  const fail = async (email: string, times: number) => {
    let last: Reservation = { allowed: true, lockedSeconds: 0 };
    for (let i = 0; i < times; i++) last = await subject.reserve(email);
    return last;
  };
  const locked = (seconds: number) => ({ allowed: true, lockedSeconds: seconds });
  const refused = (seconds: number, firstRefusal = false) => ({
    allowed: false,
    retryAfterSeconds: seconds,
    firstRefusal,
  });
  return { subject, advance, fail, locked, refused };
}

const stores = redisClient ? (['memory', 'redis'] as const) : (['memory'] as const);

describe.each(stores)('LoginLockout, in %s', (store) => {
  beforeEach(async () => {
    if (store === 'redis') await redisClient!.flushdb();
  });

  it('lets the threshold of attempts through, the last engaging the lock, and refuses the rest until it runs out', async () => {
    const { subject, advance, fail, locked, refused } = lockout(store);
    expect(await fail('ada@example.com', 2)).toEqual(locked(0));
    expect(await subject.reserve('ada@example.com')).toEqual(locked(60));
    expect(await subject.reserve('ada@example.com')).toEqual(refused(60, true));
    advance(59_000);
    expect(await subject.reserve('ada@example.com')).toEqual(refused(1));
    advance(1_000);
    expect(await subject.reserve('ada@example.com')).toEqual(locked(0));
  });

  // I6: a refusal costs no hash, so only the first of each lock is worth a row.
  it('says which refusal is the first of its lock, afresh for the next lock', async () => {
    const { advance, fail, subject } = lockout(store);
    await fail('ada@example.com', 3);
    const refusals = [];
    for (let i = 0; i < 4; i++) refusals.push(await subject.reserve('ada@example.com'));
    expect(refusals.map((r) => !r.allowed && r.firstRefusal)).toEqual([true, false, false, false]);
    advance(60_000);
    await fail('ada@example.com', 3);
    const next = await subject.reserve('ada@example.com');
    expect(next).toMatchObject({ allowed: false, firstRefusal: true });
  });

  it('verifies at most the threshold of passwords however many attempts arrive at once', async () => {
    const { subject } = lockout(store);
    const all = await Promise.all(Array.from({ length: 40 }, () => subject.reserve('ada@example.com')));
    expect(all.filter((r) => r.allowed)).toHaveLength(3);
    expect(all.filter((r) => !r.allowed)).toHaveLength(37);
  });

  it('doubles each further lock, up to a day', async () => {
    const { advance, fail } = lockout(store);
    const locks = [];
    for (let i = 0; i < 12; i++) {
      const last = await fail('ada@example.com', 3);
      const seconds = last.allowed ? last.lockedSeconds : -1;
      locks.push(seconds);
      advance(seconds * 1000);
    }
    expect(locks.slice(0, 4)).toEqual([60, 120, 240, 480]);
    expect(Math.max(...locks)).toBe(86_400);
    expect(locks.at(-1)).toBe(86_400);
  });

  it('forgets an address a day after its last attempt: the count and the doubling start again', async () => {
    const { advance, fail, locked } = lockout(store);
    expect(await fail('ada@example.com', 3)).toEqual(locked(60));
    advance(MINUTE);
    expect(await fail('ada@example.com', 2)).toEqual(locked(0));
    advance(DAY - 1);
    // Still remembered: one more attempt is the third since the last lock.
    expect(await fail('ada@example.com', 1)).toEqual(locked(120));
    advance(DAY);
    expect(await fail('ada@example.com', 2)).toEqual(locked(0));
    expect(await fail('ada@example.com', 1)).toEqual(locked(60));
  });

  it('starts afresh after the right password, or when an operator lifts the lock', async () => {
    const { subject, fail, locked } = lockout(store);
    await fail('ada@example.com', 2);
    await subject.succeeded('ada@example.com');
    expect(await fail('ada@example.com', 2)).toEqual(locked(0));
    expect(await fail('ada@example.com', 1)).toEqual(locked(60));
    await subject.lift('ada@example.com');
    expect(await fail('ada@example.com', 1)).toEqual(locked(0));
  });

  it('counts every spelling of one address on one counter, and each address on its own', async () => {
    const { subject, fail, locked } = lockout(store);
    await fail('ada@example.com', 2);
    // Case, surrounding spaces and full-width letters are one address (canonicalEmail).
    expect(await fail(' ＡＤＡ@Example.COM', 1)).toEqual(locked(60));
    expect(await subject.reserve('grace@example.com')).toEqual(locked(0));
  });

  it('locks nothing when rate limits are off', async () => {
    const { fail, locked } = lockout(store, { enabled: false });
    expect(await fail('ada@example.com', 10)).toEqual(locked(0));
  });
});

// Redis bounds itself: each entry expires a day after its last attempt.
describe('LoginLockout, in memory', () => {
  it('keeps at most 100,000 addresses, forgetting the one that tried longest ago', async () => {
    const { subject, fail, locked } = lockout('memory');
    await fail('first@example.com', 2);
    await fail('second@example.com', 2);
    for (let i = 0; i < 99_999; i++) await subject.reserve(`flood-${i}@example.com`);
    // The oldest entry went to make room; the next one is still there.
    expect(await fail('second@example.com', 1)).toEqual(locked(60));
    expect(await fail('first@example.com', 1)).toEqual(locked(0));
  });
});

describe('LoginLockout, in a Redis that cannot be reached', () => {
  // Port 1: nothing listens, so the connection is refused at once and ioredis keeps retrying.
  const away = new RedisConnection({ url: 'redis://127.0.0.1:1' });
  afterAll(() => away.onApplicationShutdown());

  it('refuses to count rather than count in this process, so that no password is checked', async () => {
    await away.onModuleInit();
    const { subject } = lockout('redis', { redis: away });
    await expect(subject.reserve('ada@example.com')).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(subject.succeeded('ada@example.com')).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
