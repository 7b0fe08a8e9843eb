import type { CredentialChecks } from '../auth/credential-checks.js';
import type { SignInService } from '../auth/sign-in.service.js';
import type { MfaChallenges } from '../auth/mfa-challenges.js';
import type { ClientInfo } from '../common/http/client-info.js';
import type { Transaction } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { MfaLoginService } from './mfa-login.service.js';
import { InvalidMfaTokenError, InvalidSecondFactorError } from './mfa.errors.js';
import type { SecondFactors } from './second-factors.js';

const CLIENT: ClientInfo = { ipAddress: '203.0.113.7', userAgent: 'test' };
const TRANSACTION = {} as Transaction;

/** The second step of a sign-in over fakes that write down what they were asked, in order. */
function subject({ challengeUser = 'user-1' as string | null, proofRight = true, tokenLive = true } = {}) {
  const user = { id: 'user-1' } as User;
  const journal: unknown[][] = [];
  const service = new MfaLoginService(
    {
      proofFailed: async (...args: unknown[]) => void journal.push(['proof failed', ...args]),
      beginSecondFactor: async (_: User, options: object) => {
        journal.push(['begin second factor', options]);
        return { attempt: options };
      },
      settleSecondFactor: async (attempt: object, accepted: boolean) =>
        void journal.push(['settle second factor', attempt, accepted]),
    } as unknown as CredentialChecks,
    {
      signInWith: async (...args: unknown[]) => {
        journal.push(['sign in', ...args]);
        return { accessToken: 'a', refreshToken: 'r' };
      },
    } as unknown as SignInService,
    {
      peek: async (purpose: string, token: string) => {
        journal.push(['peek', purpose, token]);
        return challengeUser === null ? null : { userId: challengeUser };
      },
      spend: async (purpose: string, token: string, transaction: Transaction) => {
        journal.push(['spend token', purpose, token, transaction]);
        return tokenLive;
      },
      failed: async (token: string) => void journal.push(['token failed', token]),
    } as unknown as MfaChallenges,
    {
      withProof: async (_: User, proof: object, change: (u: User, t: Transaction) => Promise<void>) => {
        journal.push(['spend proof', proof]);
        if (!proofRight) return false;
        await change(user, TRANSACTION);
        return true;
      },
    } as unknown as SecondFactors,
    { findById: async (id: string) => (id === user.id ? user : null) } as unknown as UsersService,
  );
  return { service, journal, user };
}

describe('MfaLoginService', () => {
  it('spends the proof and the mfaToken together, then signs in with the method used', async () => {
    const { service, journal, user } = subject();
    expect(await service.complete('token', { code: '123456' }, CLIENT)).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
    });
    expect(journal).toEqual([
      ['peek', 'login', 'token'],
      ['begin second factor', { signIn: true, method: 'totp' }],
      ['spend proof', { code: '123456' }],
      ['spend token', 'login', 'token', TRANSACTION],
      ['settle second factor', { attempt: { signIn: true, method: 'totp' } }, true],
      ['sign in', user, 'totp', CLIENT],
    ]);
  });

  it('names a recovery code as the method when one was used', async () => {
    const { service, journal, user } = subject();
    await service.complete('token', { recoveryCode: 'ABCDE-FGHJK' }, CLIENT);
    expect(journal).toContainEqual(['begin second factor', { signIn: true, method: 'recovery-code' }]);
    expect(journal.at(-1)).toEqual(['sign in', user, 'recovery-code', CLIENT]);
  });

  it('refuses an unknown token, or one whose account is gone, recording the failed proof', async () => {
    for (const challengeUser of [null, 'gone']) {
      const { service, journal } = subject({ challengeUser });
      await expect(service.complete('token', { code: '1' }, CLIENT)).rejects.toBeInstanceOf(
        InvalidMfaTokenError,
      );
      expect(journal.slice(1)).toEqual([['proof failed', null, 'mfa-token']]);
    }
  });

  it('counts a wrong proof against the token, and signs nobody in', async () => {
    const { service, journal } = subject({ proofRight: false });
    await expect(service.complete('token', { code: '1' }, CLIENT)).rejects.toBeInstanceOf(
      InvalidSecondFactorError,
    );
    expect(journal.slice(-2)).toEqual([
      ['settle second factor', { attempt: { signIn: true, method: 'totp' } }, false],
      ['token failed', 'token'],
    ]);
    expect(journal.map(([name]) => name)).not.toContain('sign in');
  });

  it('refuses a right proof on a token another answer spent first', async () => {
    const { service, journal } = subject({ tokenLive: false });
    await expect(service.complete('token', { code: '1' }, CLIENT)).rejects.toBeInstanceOf(
      InvalidMfaTokenError,
    );
    expect(journal.map(([name]) => name)).not.toContain('sign in');
  });
});
