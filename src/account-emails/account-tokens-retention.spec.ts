import { jest } from '@jest/globals';
import type { Retention } from '../jobs/retention.js';
import { AccountTokensRetention } from './account-tokens-retention.js';
import type { AccountTokensRepository } from './account-tokens.repository.js';

describe('AccountTokensRetention', () => {
  it('registers itself and deletes the link tokens expired at the time of the run', async () => {
    const purgeExpired = jest.fn(async () => 4);
    const registered: unknown[] = [];
    const policy = new AccountTokensRetention(
      { purgeExpired } as unknown as AccountTokensRepository,
      { register: (p: unknown) => registered.push(p) } as unknown as Retention,
    );
    policy.onModuleInit();
    expect(registered).toEqual([policy]);
    expect(policy.table).toBe('account_tokens');
    const now = new Date('2026-12-07T12:00:00.000Z');
    expect(await policy.purge(now, 10)).toBe(4);
    expect(purgeExpired).toHaveBeenCalledWith(now, 10);
  });
});
