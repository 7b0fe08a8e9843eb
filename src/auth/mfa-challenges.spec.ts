import type { Clock } from '../common/clock.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import type { Transaction } from '../database/transactions.js';
import { MFA_CHALLENGE_MAX_FAILURES, MFA_CHALLENGE_TTL_SECONDS, MfaChallenges } from './mfa-challenges.js';
import type { MfaChallengesRepository } from './mfa-challenges.repository.js';
import { aJournal } from '../../test/support/journal.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const TRANSACTION = {} as Transaction;

function subject(live: { userId: string | null } | null = { userId: 'user-1' }) {
  const { entries: journal, note } = aJournal();
  const challenges = new MfaChallenges(
    {
      create: note('create'),
      findLive: note('find live', () => live),
      spend: note('spend', () => true),
      fail: note('fail'),
      deleteAllOf: note('delete all'),
    } as unknown as MfaChallengesRepository,
    { now: () => NOW } as Clock,
  );
  return { challenges, journal };
}

describe('MfaChallenges', () => {
  it('issues a new opaque token, storing only its hash, for five minutes, in the caller’s transaction', async () => {
    const { challenges, journal } = subject();
    const token = await challenges.issue('login', 'user-1', { transaction: TRANSACTION });
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(journal).toEqual([
      [
        'create',
        {
          tokenHash: hashOpaqueToken(token),
          purpose: 'login',
          userId: 'user-1',
          failures: 0,
          expiresAt: new Date(NOW.getTime() + MFA_CHALLENGE_TTL_SECONDS * 1000),
          createdAt: NOW,
        },
        TRANSACTION,
      ],
    ]);
    expect(MFA_CHALLENGE_TTL_SECONDS).toBe(300);
  });

  it('keeps a WebAuthn challenge the caller made as the token', async () => {
    const { challenges } = subject();
    expect(await challenges.issue('passkey-authentication', null, { token: 'the-webauthn-challenge' })).toBe(
      'the-webauthn-challenge',
    );
  });

  it('tells whose a live challenge is without spending it, and nothing of one that is not', async () => {
    const { challenges, journal } = subject();
    expect(await challenges.peek('login', 'token')).toEqual({ userId: 'user-1' });
    expect(journal).toEqual([['find live', hashOpaqueToken('token'), 'login', NOW]]);
    expect(await subject(null).challenges.peek('login', 'token')).toBeUndefined();
  });

  it('spends by hash at the current time, counts failures up to five, and forgets a user’s', async () => {
    const { challenges, journal } = subject();
    expect(await challenges.spend('login', 'token', TRANSACTION)).toBe(true);
    await challenges.failed('token', TRANSACTION);
    await challenges.forgetAllOf('user-1', TRANSACTION);
    expect(journal).toEqual([
      ['spend', hashOpaqueToken('token'), 'login', NOW, TRANSACTION],
      ['fail', hashOpaqueToken('token'), MFA_CHALLENGE_MAX_FAILURES, TRANSACTION],
      ['delete all', 'user-1', TRANSACTION],
    ]);
    expect(MFA_CHALLENGE_MAX_FAILURES).toBe(5);
  });
});
