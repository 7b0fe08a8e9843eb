import type { Clock } from '../common/clock.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { RateLimitConfig } from '../config/rate-limit.config.js';
import type { RedisConnection } from '../redis/redis.module.js';
import { LoginLockout } from './login-lockout.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The lock in this process's memory (no REDIS_URL), on a clock the test moves. */
function lockout({ enabled = true } = {}) {
  let now = Date.parse('2026-11-29T12:00:00.000Z');
  const clock = { now: () => new Date(now) } as Clock;
  const subject = new LoginLockout(
    { lockoutThreshold: 3, lockoutSeconds: 60 } as AuthConfig,
    { enabled } as RateLimitConfig,
    clock,
    { client: null } as RedisConnection,
  );
  const advance = (ms: number) => (now += ms);
  const fail = async (email: string, times: number) => {
    let locked = 0;
    for (let i = 0; i < times; i++) locked = await subject.recordFailure(email);
    return locked;
  };
  return { subject, advance, fail };
}

describe('LoginLockout', () => {
  it('locks after the threshold, for the duration, and then lets the email try again', async () => {
    const { subject, advance, fail } = lockout();
    expect(await fail('ada@example.com', 2)).toBe(0);
    expect(await subject.retryAfterSeconds('ada@example.com')).toBe(0);
    expect(await fail('ada@example.com', 1)).toBe(60);
    expect(await subject.retryAfterSeconds('ada@example.com')).toBe(60);
    advance(59_000);
    expect(await subject.retryAfterSeconds('ada@example.com')).toBe(1);
    advance(1_000);
    expect(await subject.retryAfterSeconds('ada@example.com')).toBe(0);
  });

  it('doubles each further lock, up to a day', async () => {
    const { advance, fail } = lockout();
    const locks = [];
    for (let i = 0; i < 12; i++) {
      const seconds = await fail('ada@example.com', 3);
      locks.push(seconds);
      advance(seconds * 1000);
    }
    expect(locks.slice(0, 4)).toEqual([60, 120, 240, 480]);
    expect(Math.max(...locks)).toBe(86_400);
    expect(locks.at(-1)).toBe(86_400);
  });

  it('forgets failures a day after the last one: the count and the doubling start again', async () => {
    const { advance, fail } = lockout();
    expect(await fail('ada@example.com', 3)).toBe(60);
    advance(MINUTE);
    expect(await fail('ada@example.com', 2)).toBe(0);
    advance(DAY - 1);
    // Still remembered: one more failure is the third since the last lock.
    expect(await fail('ada@example.com', 1)).toBe(120);
    advance(DAY);
    expect(await fail('ada@example.com', 2)).toBe(0);
    expect(await fail('ada@example.com', 1)).toBe(60);
  });

  it('forgets failures after a successful login', async () => {
    const { subject, fail } = lockout();
    await fail('ada@example.com', 2);
    await subject.recordSuccess('ada@example.com');
    expect(await fail('ada@example.com', 2)).toBe(0);
  });

  it('counts an address however it is cased, and each address on its own', async () => {
    const { subject, fail } = lockout();
    await fail('ada@example.com', 2);
    expect(await fail('ADA@Example.COM', 1)).toBe(60);
    expect(await subject.retryAfterSeconds('grace@example.com')).toBe(0);
  });

  it('keeps at most 100,000 addresses in memory, forgetting the one that failed longest ago', async () => {
    const { subject, fail } = lockout();
    await fail('first@example.com', 2);
    await fail('second@example.com', 2);
    for (let i = 0; i < 99_999; i++) await subject.recordFailure(`flood-${i}@example.com`);
    // The oldest entry went to make room; the next one is still there.
    expect(await fail('second@example.com', 1)).toBe(60);
    expect(await fail('first@example.com', 1)).toBe(0);
  });

  it('locks nothing when rate limits are off', async () => {
    const { subject, fail } = lockout({ enabled: false });
    expect(await fail('ada@example.com', 10)).toBe(0);
    expect(await subject.retryAfterSeconds('ada@example.com')).toBe(0);
  });
});
