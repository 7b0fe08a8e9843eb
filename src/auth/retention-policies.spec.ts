import { jest } from '@jest/globals';
import type { AuthConfig } from '../config/auth.config.js';
import type { RetentionConfig } from '../config/retention.config.js';
import type { Retention } from '../jobs/retention.js';
import { MfaChallengesRetention } from './mfa-challenges-retention.js';
import type { MfaChallengesRepository } from './mfa-challenges.repository.js';
import { SessionsRetention } from './sessions-retention.js';
import type { SessionsRepository } from './sessions.repository.js';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const DAY = 86_400_000;

/** The auth tables' retention: what each registers, and the cutoffs it hands its repository. */
describe("auth's retention policies", () => {
  const registry = () => {
    const registered: unknown[] = [];
    return {
      registered,
      retention: { register: (p: unknown) => registered.push(p) } as unknown as Retention,
    };
  };

  it('deletes sessions ended RETENTION_ENDED_SESSIONS ago: past their end, or idle AUTH_SESSION_IDLE_TTL before that', async () => {
    const purgeEnded = jest.fn(async () => 3);
    const { registered, retention } = registry();
    const policy = new SessionsRetention(
      { purgeEnded } as unknown as SessionsRepository,
      retention,
      { sessionIdleTtlSeconds: 7 * 86_400 } as AuthConfig,
      { endedSessionsSeconds: 30 * 86_400 } as RetentionConfig,
    );
    policy.onModuleInit();
    expect(registered).toEqual([policy]);
    expect(policy.table).toBe('sessions');
    expect(await policy.purge(NOW, 100)).toBe(3);
    expect(purgeEnded).toHaveBeenCalledWith(
      { endedBefore: new Date(NOW.getTime() - 30 * DAY), lastUsedBefore: new Date(NOW.getTime() - 37 * DAY) },
      100,
    );
  });

  it('deletes second-factor challenges once expired', async () => {
    const purgeExpired = jest.fn(async () => 2);
    const { registered, retention } = registry();
    const policy = new MfaChallengesRetention(
      { purgeExpired } as unknown as MfaChallengesRepository,
      retention,
    );
    policy.onModuleInit();
    expect(registered).toEqual([policy]);
    expect(policy.table).toBe('mfa_challenges');
    expect(await policy.purge(NOW, 50)).toBe(2);
    expect(purgeExpired).toHaveBeenCalledWith(NOW, 50);
  });
});
