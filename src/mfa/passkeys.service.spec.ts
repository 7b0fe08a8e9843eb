import { randomUUID } from 'node:crypto';
import { SoftwareAuthenticator } from '../../test/support/software-authenticator.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { CredentialChecks } from '../auth/credential-checks.js';
import type { SignInService } from '../auth/sign-in.service.js';
import type { MfaChallenges } from '../auth/mfa-challenges.js';
import type { Principal } from '../access/principal.js';
import type { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app.config.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { SecurityNotices } from '../security-notices/security-notices.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { MAX_PASSKEYS_PER_USER, type Passkey } from './entities/passkey.entity.js';
import {
  EmailNotVerifiedError,
  InvalidPasskeyError,
  PasskeyLimitError,
  PasskeyNotFoundError,
  PasskeyRejectedError,
  WrongSecondFactorError,
} from './mfa.errors.js';
import { PasskeySignIn } from './passkey-sign-in.service.js';
import { PasskeysService } from './passkeys.service.js';
import { WebAuthnRelyingParty } from './webauthn-relying-party.js';
import type { SecondFactorsRepository } from './second-factors.repository.js';

const ORIGIN = 'http://localhost:3999';
const NOW = new Date('2026-12-06T12:00:00.000Z');
const TRANSACTION = {} as Transaction;
const CLIENT = { ipAddress: '203.0.113.7', userAgent: 'test' };

/**
 * Passkeys over in-memory fakes of their tables and a software authenticator that signs for real:
 * what @simplewebauthn/server verifies is what a phone would send. The fakes write down what the
 * service asked of them.
 */
function subject() {
  const users = new Map<string, User>();
  const add = (overrides: Partial<User> = {}) => {
    const user = {
      id: randomUUID(),
      email: 'ada@example.com',
      name: 'Ada',
      emailVerified: true,
      passkeyCount: 0,
      ...overrides,
    } as User;
    users.set(user.id, user);
    return user;
  };
  const challenges = new Map<string, string | null>();
  const passkeys: Passkey[] = [];
  const journal: unknown[][] = [];
  const note = (...entry: unknown[]) => void journal.push(entry);
  const app = { publicUrl: ORIGIN } as AppConfig;
  const auth = { mfaIssuer: 'Gatehouse Test' } as AuthConfig;
  const usersService = {
    getById: async (id: string) => users.get(id)!,
    getForUpdate: async (id: string) => users.get(id)!,
    findById: async (id: string) => users.get(id) ?? null,
    setSecondFactors: async (id: string, changes: Partial<User>) => {
      note('set second factors', id, changes);
      Object.assign(users.get(id)!, changes);
    },
  } as unknown as UsersService;
  const credentials = {
    checkCurrentPassword: async (_: User, password: string) => {
      if (password !== 'the password') throw new Error('wrong password');
    },
    loginFailed: async (user: User, reason: string) => note('login failed', user.id, reason),
    proofFailed: async (user: User, what: string) => note('proof failed', user.id, what),
  } as unknown as CredentialChecks;
  const signInService = {
    signInWith: async (user: User, method: string) => ({ signedIn: user.id, method }),
  } as unknown as SignInService;
  const mfaChallenges = {
    issue: async (purpose: string, userId: string | null, { token }: { token: string }) => {
      challenges.set(`${purpose} ${token}`, userId);
      return token;
    },
    peek: async (purpose: string, token: string) =>
      challenges.has(`${purpose} ${token}`) ? { userId: challenges.get(`${purpose} ${token}`)! } : undefined,
    spend: async (purpose: string, token: string) => challenges.delete(`${purpose} ${token}`),
    forgetAllOf: async (userId: string) => note('forget challenges', userId),
  } as unknown as MfaChallenges;
  const factors = {
    passkeysOf: async (userId: string) => passkeys.filter((p) => p.userId === userId),
    findPasskey: async (userId: string, id: string) =>
      passkeys.find((p) => p.userId === userId && p.id === id) ?? null,
    findPasskeyByCredential: async (credentialId: string) =>
      passkeys.find((p) => p.credentialId === credentialId) ?? null,
    addPasskey: async (passkey: Omit<Passkey, 'id'>) => {
      const added = { ...passkey, id: randomUUID() } as Passkey;
      passkeys.push(added);
      return added;
    },
    renamePasskey: async (userId: string, id: string, name: string) => {
      const passkey = passkeys.find((p) => p.userId === userId && p.id === id);
      if (passkey) passkey.name = name;
      return Boolean(passkey);
    },
    deletePasskey: async (userId: string, id: string) => {
      const index = passkeys.findIndex((p) => p.userId === userId && p.id === id);
      if (index >= 0) passkeys.splice(index, 1);
      return index >= 0;
    },
    passkeyUsed: async (id: string, signCount: number, at: Date) => {
      note('passkey used', id, signCount, at);
      Object.assign(
        passkeys.find((p) => p.id === id)!,
        { signCount, lastUsedAt: at },
      );
    },
    countPasskeys: async (userId: string) => passkeys.filter((p) => p.userId === userId).length,
  } as unknown as SecondFactorsRepository;
  const transactions = {
    run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION),
  } as unknown as Transactions;
  const clock = { now: () => NOW } as Clock;
  const audit = { record: async (event: unknown) => note('audit', event) } as unknown as AuditLog;
  const notices = {
    send: async (...notice: unknown[]) => note('notice', ...notice.filter((_, i) => i !== 2)),
  } as unknown as SecurityNotices;
  const relyingParty = new WebAuthnRelyingParty(app, auth);
  const service = new PasskeysService(
    relyingParty,
    usersService,
    credentials,
    mfaChallenges,
    factors,
    transactions,
    clock,
    audit,
    notices,
  );
  const signIn = new PasskeySignIn(
    relyingParty,
    usersService,
    credentials,
    signInService,
    mfaChallenges,
    factors,
    transactions,
    clock,
  );
  const principalOf = (user: User) => ({ userId: user.id, sessionId: 's' }) as Principal;

  /** A user with a passkey registered through the service, and its authenticator. */
  async function withPasskey(options: { countsSignatures?: boolean } = {}) {
    const user = add();
    const authenticator = new SoftwareAuthenticator(ORIGIN, options);
    const passkey = await service.register(
      principalOf(user),
      authenticator.register(await service.registrationOptions(principalOf(user), 'the password')) as never,
    );
    journal.length = 0;
    return { user, authenticator, passkey };
  }
  const assertion = async (authenticator: SoftwareAuthenticator) =>
    authenticator.authenticate(await signIn.authenticationOptions()) as never;
  return { service, signIn, add, passkeys, journal, principalOf, withPasskey, assertion, users };
}

describe('PasskeysService', () => {
  describe('registering', () => {
    it('asks for a discoverable credential with user verification, for this relying party, excluding the ones it has', async () => {
      const { service, withPasskey, principalOf } = subject();
      const { user, passkey } = await withPasskey();
      const options = await service.registrationOptions(principalOf(user), 'the password');
      expect(options).toMatchObject({
        rp: { name: 'Gatehouse Test', id: 'localhost' },
        user: {
          id: Buffer.from(user.id.replaceAll('-', ''), 'hex').toString('base64url'),
          name: 'ada@example.com',
          displayName: 'Ada',
        },
        attestation: 'none',
        timeout: 300_000,
        excludeCredentials: [{ id: passkey.credentialId, type: 'public-key' }],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
    });

    it('needs the password, a verified address and room for one more', async () => {
      const { service, add, principalOf, passkeys } = subject();
      const user = add();
      await expect(service.registrationOptions(principalOf(user), 'wrong')).rejects.toThrow('wrong password');
      await expect(
        service.registrationOptions(principalOf(add({ emailVerified: false })), 'the password'),
      ).rejects.toBeInstanceOf(EmailNotVerifiedError);
      for (let i = 0; i < MAX_PASSKEYS_PER_USER; i++)
        passkeys.push({ userId: user.id, credentialId: `c${i}` } as Passkey);
      await expect(service.registrationOptions(principalOf(user), 'the password')).rejects.toBeInstanceOf(
        PasskeyLimitError,
      );
    });

    it('stores the verified credential, named, counted, audited and told', async () => {
      const { service, add, principalOf, journal, users } = subject();
      const user = add();
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const options = await service.registrationOptions(principalOf(user), 'the password');
      const passkey = await service.register(
        principalOf(user),
        authenticator.register(options) as never,
        'Phone',
      );
      expect(passkey).toMatchObject({
        userId: user.id,
        credentialId: authenticator.credentialId,
        name: 'Phone',
        signCount: 0,
        transports: ['internal'],
        createdAt: NOW,
        lastUsedAt: null,
      });
      expect(users.get(user.id)!.passkeyCount).toBe(1);
      expect(journal).toEqual([
        ['set second factors', user.id, { passkeyCount: 1 }],
        [
          'audit',
          {
            type: 'mfa.passkey-added',
            subjectUserId: user.id,
            details: { passkeyId: passkey.id, name: 'Phone' },
          },
        ],
        ['notice', user.id, 'second-factor-added', { factor: 'passkey' }],
      ]);
      // Without a name, the next number.
      const second = new SoftwareAuthenticator(ORIGIN);
      const named = await service.register(
        principalOf(user),
        second.register(await service.registrationOptions(principalOf(user), 'the password')) as never,
      );
      expect(named.name).toBe('Passkey 2');
    });

    it('refuses a challenge used, unknown or issued to another user, another origin, and a credential twice', async () => {
      const { service, add, principalOf } = subject();
      const [user, other] = [add(), add()];
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const options = await service.registrationOptions(principalOf(user), 'the password');
      const response = authenticator.register(options) as never;
      await expect(service.register(principalOf(other), response)).rejects.toBeInstanceOf(
        PasskeyRejectedError,
      );
      const foreign = authenticator.register(options, { origin: 'https://evil.example' }) as never;
      await expect(service.register(principalOf(user), foreign)).rejects.toThrow(
        /could not be registered: .*origin/i,
      );
      await service.register(principalOf(user), response);
      await expect(service.register(principalOf(user), response)).rejects.toThrow(/unknown, expired or used/);
      const again = authenticator.register(
        await service.registrationOptions(principalOf(user), 'the password'),
      );
      await expect(service.register(principalOf(user), again as never)).rejects.toThrow(/registered already/);
      const garbled = {
        ...authenticator.register(options),
        response: { clientDataJSON: 'not json' },
      } as never;
      await expect(service.register(principalOf(user), garbled)).rejects.toBeInstanceOf(PasskeyRejectedError);
    });
  });

  describe('signing in', () => {
    it('signs the passkey’s user in, moving its counter and spending the challenge', async () => {
      const { signIn, withPasskey, assertion, journal } = subject();
      const { user, authenticator, passkey } = await withPasskey({ countsSignatures: true });
      const response = await assertion(authenticator);
      expect(await signIn.authenticate(response, CLIENT)).toEqual({ signedIn: user.id, method: 'passkey' });
      expect(journal).toEqual([['passkey used', passkey.id, 1, NOW]]);
      await expect(signIn.authenticate(response, CLIENT)).rejects.toBeInstanceOf(InvalidPasskeyError);
    });

    it('refuses a signature that does not verify, recording the failure on the account', async () => {
      const { signIn, withPasskey, assertion, journal } = subject();
      const { user, authenticator } = await withPasskey();
      const forged = new SoftwareAuthenticator(ORIGIN);
      Object.assign(forged, { credentialId: authenticator.credentialId });
      forged.register({ challenge: 'x', rp: {}, user: { id: 'x' } });
      await expect(signIn.authenticate(await assertion(forged), CLIENT)).rejects.toBeInstanceOf(
        InvalidPasskeyError,
      );
      expect(journal).toEqual([['login failed', user.id, 'wrong-second-factor']]);
    });

    it('refuses a counter that did not move forward, for an authenticator that counts (a clone)', async () => {
      const { signIn, withPasskey, assertion, passkeys } = subject();
      const { authenticator } = await withPasskey({ countsSignatures: true });
      await signIn.authenticate(await assertion(authenticator), CLIENT);
      passkeys[0].signCount = 5;
      await expect(signIn.authenticate(await assertion(authenticator), CLIENT)).rejects.toBeInstanceOf(
        InvalidPasskeyError,
      );
    });

    it('refuses an unknown credential or challenge without naming any account', async () => {
      const { signIn, assertion, journal } = subject();
      const stranger = new SoftwareAuthenticator(ORIGIN);
      stranger.register({ challenge: 'x', rp: {}, user: { id: 'x' } });
      await expect(signIn.authenticate(await assertion(stranger), CLIENT)).rejects.toBeInstanceOf(
        InvalidPasskeyError,
      );
      const unissued = stranger.authenticate({ challenge: 'a-challenge-never-issued' });
      await expect(signIn.authenticate(unissued as never, CLIENT)).rejects.toBeInstanceOf(
        InvalidPasskeyError,
      );
      expect(journal).toEqual([]);
    });

    it('reauthenticates a session with one of its own passkeys only, renewing in the same transaction', async () => {
      const { signIn, withPasskey, assertion, add, principalOf, journal } = subject();
      const { user, authenticator } = await withPasskey();
      const renewed: Transaction[] = [];
      const renew = async (transaction: Transaction) => void renewed.push(transaction);
      await signIn.reauthenticate(principalOf(user), await assertion(authenticator), renew);
      expect(renewed).toEqual([TRANSACTION]);
      const other = add();
      const refused = signIn.reauthenticate(principalOf(other), await assertion(authenticator), renew);
      await expect(refused).rejects.toBeInstanceOf(WrongSecondFactorError);
      await expect(refused).rejects.toMatchObject({ errors: [{ pointer: '#/passkey' }] });
      expect(renewed).toHaveLength(1);
      const forged = new SoftwareAuthenticator(ORIGIN);
      Object.assign(forged, { credentialId: authenticator.credentialId });
      forged.register({ challenge: 'x', rp: {}, user: { id: 'x' } });
      await expect(
        signIn.reauthenticate(principalOf(user), await assertion(forged), renew),
      ).rejects.toBeInstanceOf(WrongSecondFactorError);
      expect(journal.at(-1)).toEqual(['proof failed', user.id, 'passkey']);
    });
  });

  describe('managing', () => {
    it('renames and removes the caller’s own passkeys only, audited, the count and challenges kept right', async () => {
      const { service, withPasskey, add, principalOf, journal, users } = subject();
      const { user, passkey } = await withPasskey();
      const stranger = principalOf(add());
      await expect(service.rename(stranger, passkey.id, 'Mine')).rejects.toBeInstanceOf(PasskeyNotFoundError);
      await expect(service.remove(stranger, passkey.id)).rejects.toBeInstanceOf(PasskeyNotFoundError);
      expect(await service.rename(principalOf(user), passkey.id, 'Laptop')).toMatchObject({ name: 'Laptop' });
      await service.remove(principalOf(user), passkey.id);
      expect(await service.list(principalOf(user))).toEqual([]);
      expect(users.get(user.id)!.passkeyCount).toBe(0);
      const details = { passkeyId: passkey.id, name: 'Laptop' };
      expect(journal).toEqual([
        ['audit', { type: 'mfa.passkey-renamed', subjectUserId: user.id, details }],
        ['set second factors', user.id, { passkeyCount: 0 }],
        ['forget challenges', user.id],
        ['audit', { type: 'mfa.passkey-removed', subjectUserId: user.id, details }],
        ['notice', user.id, 'second-factor-removed', { factor: 'passkey' }],
      ]);
    });
  });
});
