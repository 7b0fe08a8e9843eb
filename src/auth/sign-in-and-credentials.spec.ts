import type { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock.js';
import type { SecurityNotices } from '../security-notices/security-notices.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy, PasswordRejectedError } from '../passwords/password-policy.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { HttpAdapterHost } from '@nestjs/core';
import type { DatabasePool } from '../database/database-pool.js';
import type { ReplicaReads } from '../database/replica-reads.js';
import { Metrics } from '../metrics/metrics.js';
import { OrganizationMemberships } from '../access/principals.js';
import { AccessTokens, type TokenPair } from './access-tokens.js';
import {
  AccountSuspendedError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  TooManyAttemptsError,
  WrongCurrentPasswordError,
} from './auth.errors.js';
import { CredentialChecks, type SecondFactorAttempt } from './credential-checks.js';
import { PasswordChangeService } from './password-change.service.js';
import { SessionsService } from './sessions.service.js';
import { SignInService } from './sign-in.service.js';
import type { MfaChallenges } from './mfa-challenges.js';
import type { LoginLockout } from './login-lockout.js';
import type { SessionPrincipal } from '../access/principal.js';
import { RefreshTokens } from './refresh-tokens.js';
import type { Rotation, SessionsRepository } from './sessions.repository.js';

Logger.overrideLogger(false);

const NOW = new Date('2026-11-29T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const PASSWORD = 'correct horse battery 42';
const CLIENT: ClientInfo = { ipAddress: '203.0.113.7', userAgent: 'a browser' };
const ADA: User = {
  id: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e',
  email: 'ada@example.com',
  emailCanonical: 'ada@example.com',
  name: 'Ada',
  passwordHash: `hash:${PASSWORD}`,
  role: 'user',
  emailVerified: true,
  status: 'active',
  suspendedAt: null,
  suspensionReason: null,
  linksRevokedAt: null,
  totpEnabled: false,
  passkeyCount: 0,
  createdAt: NOW,
  updatedAt: NOW,
};
const AUTH = {
  jwtSecret: 'a test key of at least thirty-two characters',
  refreshTokenTtlSeconds: 30 * 86_400,
  sessionIdleTtlSeconds: 7 * 86_400,
  refreshReuseSeconds: 10,
  passwordMinLength: 12,
  passwordMinScore: 3,
} as AuthConfig;
/** Built once: its dictionaries take a moment to rank. */
const POLICY = new PasswordPolicy(AUTH);

/** The service over fakes: a hasher whose hash of p is `hash:p`, a lock that is open unless told. */
async function setUp({
  user = ADA as User | null,
  lockedFor = 0,
  firstRefusal = true,
  engages = 0,
  rotation = undefined as Rotation | undefined,
} = {}) {
  const users = {
    findByEmail: jest.fn(async () => user),
    getById: jest.fn(async () => user!),
    setPasswordHash: jest.fn(async () => undefined),
  };
  const sessions = {
    create: jest.fn(async (): Promise<string | null> => 'session-1'),
    rotate: jest.fn(async () => rotation!),
    deleteAllOf: jest.fn(async () => undefined),
    delete: jest.fn(async () => undefined),
  };
  const hasher = {
    hash: jest.fn(async (password: string) => `hash:${password}`),
    verify: jest.fn(async (hash: string, password: string) => hash === `hash:${password}`),
    needsRehash: jest.fn(() => false),
  };
  const lockout = {
    reserve: jest.fn(async () =>
      lockedFor > 0
        ? { allowed: false as const, retryAfterSeconds: lockedFor, firstRefusal }
        : { allowed: true as const, lockedSeconds: engages },
    ),
    succeeded: jest.fn(async () => undefined),
  };
  const metrics = new Metrics(
    { stats: () => ({ total: 0, idle: 0, waiting: 0 }) } as DatabasePool,
    { fallbacks: 0 } as ReplicaReads,
    {} as HttpAdapterHost,
  );
  const accessTokens = {
    issue: jest.fn(() => 'an.access.token'),
    ttlSeconds: 900,
    pair: AccessTokens.prototype.pair,
  };
  const transactions = { run: jest.fn((work: (t: Transaction) => Promise<unknown>) => work(TRANSACTION)) };
  const audit = {
    record: jest.fn(async () => undefined),
    describe: jest.fn((record: object) => ({ ...record, id: 'event-1' })),
  };
  const mfaChallenges = {
    issue: jest.fn(async () => 'an-mfa-token'),
    forgetAllOf: jest.fn(async () => undefined),
  };
  const notices = { send: jest.fn(async () => undefined) };
  const apiKeys = { revokeAllOf: jest.fn(async () => undefined) };
  const credentials = new CredentialChecks(
    lockout as unknown as LoginLockout,
    hasher as unknown as PasswordHasher,
    audit as unknown as AuditLog,
    metrics,
  );
  const clock = { now: () => NOW } as Clock;
  const signIn = new SignInService(
    AUTH,
    users as unknown as UsersService,
    sessions as unknown as SessionsRepository,
    accessTokens as unknown as AccessTokens,
    new RefreshTokens(AUTH),
    hasher as unknown as PasswordHasher,
    lockout as unknown as LoginLockout,
    credentials,
    mfaChallenges as unknown as MfaChallenges,
    clock,
    audit as unknown as AuditLog,
  );
  const sessionService = new SessionsService(
    AUTH,
    sessions as unknown as SessionsRepository,
    accessTokens as unknown as AccessTokens,
    new RefreshTokens(AUTH),
    mfaChallenges as unknown as MfaChallenges,
    clock,
    transactions as unknown as Transactions,
    audit as unknown as AuditLog,
    apiKeys as unknown as ApiKeysService,
    {} as OrganizationMemberships,
  );
  const passwords = new PasswordChangeService(
    users as unknown as UsersService,
    credentials,
    POLICY,
    hasher as unknown as PasswordHasher,
    sessionService,
    mfaChallenges as unknown as MfaChallenges,
    transactions as unknown as Transactions,
    audit as unknown as AuditLog,
    notices as unknown as SecurityNotices,
  );
  const service = { signIn, credentials, sessionService, passwords };
  await signIn.onModuleInit();
  hasher.hash.mockClear();
  return {
    service,
    users,
    sessions,
    hasher,
    lockout,
    accessTokens,
    metrics,
    audit,
    mfaChallenges,
    notices,
    apiKeys,
  };
}

/** What the service wrote to the audit log, in order (the events; the transaction is checked apart). */
const recorded = (audit: { record: { mock: { calls: unknown[][] } } }) =>
  audit.record.mock.calls.map(([event]) => event);

/** What the service logged at each level: operators read these, and page on the errors. */
function logged() {
  const lines: Record<'log' | 'warn' | 'error', string[]> = { log: [], warn: [], error: [] };
  for (const level of ['log', 'warn', 'error'] as const)
    jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, message: unknown) {
      lines[level].push(`[${(this as unknown as { context: string }).context}] ${String(message)}`);
    });
  return lines;
}
afterEach(() => jest.restoreAllMocks());

/** A second factor checked the way its callers do: begun under the lock, verified, settled. */
async function checkSecondFactor(
  credentials: CredentialChecks,
  user: User,
  verify: () => Promise<boolean>,
  options: Pick<SecondFactorAttempt, 'signIn' | 'method'>,
): Promise<boolean> {
  const attempt = await credentials.beginSecondFactor(user, options);
  const accepted = await verify();
  await credentials.settleSecondFactor(attempt, accepted);
  return accepted;
}

describe('signing in, sessions and credential checks (SignInService, SessionsService, PasswordChangeService, CredentialChecks)', () => {
  describe('login', () => {
    it('answers a second-factor challenge, not tokens, for an account with one, and keeps the lock', async () => {
      const withTotp = { ...ADA, totpEnabled: true, passkeyCount: 2 };
      const { service, sessions, lockout, mfaChallenges } = await setUp({ user: withTotp });
      const answer = await service.signIn.login(ADA.email, PASSWORD, CLIENT);
      expect(answer).toEqual({
        mfaRequired: true,
        mfaToken: 'an-mfa-token',
        methods: ['totp', 'recovery-code', 'passkey'],
      });
      expect(mfaChallenges.issue).toHaveBeenCalledWith('login', ADA.id);
      expect(sessions.create).not.toHaveBeenCalled();
      // The codes that follow count toward the same lock as this password did.
      expect(lockout.succeeded).not.toHaveBeenCalled();
    });

    it('answers a wrong password the same with a second factor as without', async () => {
      const plain = await setUp();
      const guarded = await setUp({ user: { ...ADA, totpEnabled: true } });
      const errors = await Promise.all(
        [plain, guarded].map(({ service }) =>
          service.signIn.login(ADA.email, 'wrong', CLIENT).catch((e: Error) => e),
        ),
      );
      expect(errors[1]).toEqual(errors[0]);
      expect(guarded.mfaChallenges.issue).not.toHaveBeenCalled();
    });

    it('starts a session that ends AUTH_REFRESH_TOKEN_TTL from now, and returns its pair', async () => {
      const { service, sessions, lockout, accessTokens } = await setUp();
      const pair = (await service.signIn.login(ADA.email, PASSWORD, CLIENT)) as TokenPair;
      const [userId, tokenHash, times, client, event] = sessions.create.mock.calls[0] as unknown as [
        string,
        Buffer,
        { now: Date; expiresAt: Date },
        ClientInfo,
        object,
      ];
      expect({ userId, times, client, event }).toEqual({
        userId: ADA.id,
        times: { now: NOW, expiresAt: new Date(NOW.getTime() + AUTH.refreshTokenTtlSeconds * 1000) },
        client: CLIENT,
        // Written by the same statement as the session.
        event: { id: 'event-1', type: 'login.succeeded', subjectUserId: ADA.id, actorUserId: ADA.id },
      });
      // Only the refresh token's hash is stored.
      expect(tokenHash).toEqual(hashOpaqueToken(pair.refreshToken));
      expect(accessTokens.issue).toHaveBeenCalledWith({
        sub: ADA.id,
        sid: 'session-1',
        role: 'user',
        organization: null,
      });
      expect(pair).toMatchObject({ accessToken: 'an.access.token', tokenType: 'Bearer', expiresIn: 900 });
      expect(lockout.succeeded).toHaveBeenCalledWith(ADA.email);
    });

    it('names no second factor for a password-only sign-in, and leaves a current hash alone', async () => {
      const { service, sessions, users } = await setUp();
      await service.signIn.login(ADA.email, PASSWORD, CLIENT);
      const [, , , , event, secondFactor] = sessions.create.mock.calls[0] as unknown[];
      expect(event).toStrictEqual({
        id: 'event-1',
        type: 'login.succeeded',
        subjectUserId: ADA.id,
        actorUserId: ADA.id,
      });
      expect(secondFactor).toBeNull();
      expect(users.setPasswordHash).not.toHaveBeenCalled();
    });

    it('verifies an unknown email against a hash made at start-up, so it costs what a wrong password does', async () => {
      const { service, hasher } = await setUp({ user: null });
      await expect(service.signIn.login(ADA.email, PASSWORD, CLIENT)).rejects.toThrow(
        InvalidCredentialsError,
      );
      const [hash] = hasher.verify.mock.calls[0];
      expect(hash).toMatch(/^hash:[0-9a-f]{32}$/);
    });

    it('records why a sign-in failed, whose it was when the address is an account’s, and logs no address', async () => {
      const lines = logged();
      const unknown = await setUp({ user: null });
      await unknown.service.signIn.login('nobody@example.com', PASSWORD, CLIENT).catch(() => undefined);
      const wrong = await setUp();
      await wrong.service.signIn.login(ADA.email, 'a wrong password', CLIENT).catch(() => undefined);
      const failed = (subjectUserId: string | null, reason: string) => ({
        type: 'login.failed',
        subjectUserId,
        actorUserId: null,
        details: { reason },
      });
      expect(recorded(unknown.audit)).toEqual([failed(null, 'unknown-email')]);
      expect(recorded(wrong.audit)).toEqual([failed(ADA.id, 'wrong-password')]);
      expect(lines.warn).toEqual([
        '[Auth] login failed (user unknown)',
        `[Auth] login failed (user ${ADA.id})`,
      ]);
    });

    it('records a lock once: the refusals after the first cost nothing and write nothing', async () => {
      const { service, audit, users } = await setUp({ lockedFor: 60, firstRefusal: false });
      await expect(service.signIn.login(ADA.email, PASSWORD, CLIENT)).rejects.toThrow(TooManyAttemptsError);
      expect(recorded(audit)).toEqual([]);
      expect(users.findByEmail).not.toHaveBeenCalled();
    });

    it('lifts the lock for a suspended account’s right password, and records the refusal', async () => {
      const { service, lockout, audit } = await setUp({ user: { ...ADA, status: 'suspended' } });
      await expect(service.signIn.login(ADA.email, PASSWORD, CLIENT)).rejects.toThrow(AccountSuspendedError);
      expect(lockout.succeeded).toHaveBeenCalledWith(ADA.email);
      expect(recorded(audit)).toEqual([
        { type: 'login.failed', subjectUserId: ADA.id, actorUserId: null, details: { reason: 'suspended' } },
      ]);
    });

    it('logs each session started, naming the user and the session', async () => {
      const lines = logged();
      const { service } = await setUp();
      await service.signIn.login(ADA.email, PASSWORD, CLIENT);
      expect(lines.log).toEqual([`[Auth] login (user ${ADA.id}, session session-1)`]);
    });

    it('answers an unknown email and a wrong password alike, after one verification each', async () => {
      for (const [user, password] of [
        [null, PASSWORD],
        [ADA, 'a wrong password'],
      ] as const) {
        const { service, hasher, lockout, sessions } = await setUp({ user });
        await expect(service.signIn.login(ADA.email, password, CLIENT)).rejects.toThrow(
          InvalidCredentialsError,
        );
        expect(hasher.verify).toHaveBeenCalledTimes(1);
        expect(lockout.reserve).toHaveBeenCalledWith(ADA.email);
        expect(lockout.succeeded).not.toHaveBeenCalled();
        expect(sessions.create).not.toHaveBeenCalled();
      }
    });

    it('refuses a locked email before verifying anything, and records the attempt as the account’s', async () => {
      const { service, hasher, audit } = await setUp({ lockedFor: 60 });
      const refused = service.signIn.login(ADA.email, PASSWORD, CLIENT);
      await expect(refused).rejects.toThrow(TooManyAttemptsError);
      await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 60 });
      expect(hasher.verify).not.toHaveBeenCalled();
      expect(audit.record).toHaveBeenCalledWith({
        type: 'login.failed',
        subjectUserId: ADA.id,
        actorUserId: null,
        details: { reason: 'locked' },
      });
    });

    it('tells a suspended account so only after the right password, and starts no session', async () => {
      const suspended: User = { ...ADA, status: 'suspended', suspendedAt: NOW, suspensionReason: 'fraud' };
      const { service, sessions } = await setUp({ user: suspended });
      await expect(service.signIn.login(ADA.email, 'a wrong password', CLIENT)).rejects.toThrow(
        InvalidCredentialsError,
      );
      await expect(service.signIn.login(ADA.email, PASSWORD, CLIENT)).rejects.toThrow(AccountSuspendedError);
      expect(sessions.create).not.toHaveBeenCalled();
    });

    it('answers 401 when the account stopped being active between the check and the session', async () => {
      const { service, sessions, accessTokens } = await setUp();
      sessions.create.mockResolvedValueOnce(null);
      await expect(service.signIn.login(ADA.email, PASSWORD, CLIENT)).rejects.toThrow(
        InvalidCredentialsError,
      );
      expect(accessTokens.issue).not.toHaveBeenCalled();
    });

    it('rehashes a password hashed with weaker parameters, with the password just verified', async () => {
      const { service, hasher, users } = await setUp();
      hasher.needsRehash.mockReturnValueOnce(true);
      await service.signIn.login(ADA.email, PASSWORD, CLIENT);
      expect(users.setPasswordHash).toHaveBeenCalledWith(ADA.id, `hash:${PASSWORD}`);
    });
  });

  describe('locks', () => {
    it('counts a lock its attempt engaged, without saying whose (an unknown address counts alike)', async () => {
      const { service, metrics } = await setUp({ user: { ...ADA, role: 'admin' }, engages: 60 });
      await expect(service.signIn.login(ADA.email, 'a wrong password', CLIENT)).rejects.toThrow(
        InvalidCredentialsError,
      );
      const text = await metrics.registry.getSingleMetricAsString('auth_locks_total');
      expect(text).toMatch(/^auth_locks_total 1$/m);
      expect(text).not.toContain('account=');
    });

    it('records the lock an attempt engaged, and pages (an error) only when the account is an admin’s', async () => {
      const lines = logged();
      for (const role of ['user', 'admin'] as const) {
        const { service, audit } = await setUp({ user: { ...ADA, role }, engages: 60 });
        await service.signIn.login(ADA.email, 'a wrong password', CLIENT).catch(() => undefined);
        expect(recorded(audit)).toContainEqual({
          type: 'login.locked',
          subjectUserId: ADA.id,
          actorUserId: null,
          details: { lockedSeconds: 60 },
        });
      }
      const unknown = await setUp({ user: null, engages: 60 });
      await unknown.service.signIn.login(ADA.email, PASSWORD, CLIENT).catch(() => undefined);
      expect(recorded(unknown.audit)).toContainEqual(expect.objectContaining({ subjectUserId: null }));
      expect(lines.error).toEqual([
        `[Auth] login locked for 60 s (user ${ADA.id}): an admin account; npm run cli -- unlock lifts it`,
      ]);
      expect(lines.warn).toContain(`[Auth] login locked for 60 s (user ${ADA.id})`);
      expect(lines.warn).toContain('[Auth] login locked for 60 s (user unknown)');
    });

    it('engages nothing while the attempt locked nothing: no event, no count, no log line', async () => {
      const lines = logged();
      const { service, audit, metrics } = await setUp({ engages: 0 });
      await service.signIn.login(ADA.email, 'a wrong password', CLIENT).catch(() => undefined);
      expect(recorded(audit).map((event) => (event as { type: string }).type)).toEqual(['login.failed']);
      expect(await metrics.registry.getSingleMetricAsString('auth_locks_total')).toMatch(
        /^auth_locks_total 0$/m,
      );
      expect(lines.warn.filter((line) => line.includes('locked'))).toEqual([]);
    });
  });

  describe('refresh', () => {
    it("names the session's organization in the new access token while the account is a member", async () => {
      const organization = { id: '3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9', role: 'admin' as const };
      for (const outcome of ['rotated', 'repeated'] as const) {
        const { service, accessTokens } = await setUp({
          rotation: { outcome, sessionId: 'session-1', userId: ADA.id, role: 'user', organization },
        });
        await service.sessionService.refresh('old-token', CLIENT);
        expect(accessTokens.issue).toHaveBeenCalledWith({
          sub: ADA.id,
          sid: 'session-1',
          role: 'user',
          organization,
        });
      }
    });

    it('returns the successor of a rotated token, idle sessions measured from AUTH_SESSION_IDLE_TTL ago', async () => {
      const { service, sessions } = await setUp({
        rotation: {
          outcome: 'rotated',
          sessionId: 'session-1',
          userId: ADA.id,
          role: 'user',
          organization: null,
        },
      });
      const pair = await service.sessionService.refresh('old-token', CLIENT);
      const [oldHash, newHash, times, client] = sessions.rotate.mock.calls[0] as unknown as [
        Buffer,
        Buffer,
        object,
        ClientInfo,
      ];
      expect(client).toEqual(CLIENT);
      expect(oldHash).toEqual(hashOpaqueToken('old-token'));
      expect(newHash).toEqual(hashOpaqueToken(pair.refreshToken));
      expect(pair.refreshToken).toBe(new RefreshTokens(AUTH).successorOf('old-token').token);
      expect(times).toEqual({
        now: NOW,
        idleSince: new Date(NOW.getTime() - AUTH.sessionIdleTtlSeconds * 1000),
        repeatSince: new Date(NOW.getTime() - AUTH.refreshReuseSeconds * 1000),
      });
    });

    it('answers a repeat within AUTH_REFRESH_REUSE_INTERVAL with the same successor', async () => {
      const { service } = await setUp({
        rotation: {
          outcome: 'repeated',
          sessionId: 'session-1',
          userId: ADA.id,
          role: 'user',
          organization: null,
        },
      });
      const first = await service.sessionService.refresh('old-token', CLIENT);
      const again = await service.sessionService.refresh('old-token', CLIENT);
      expect(again.refreshToken).toBe(first.refreshToken);
      expect(again.refreshToken).not.toBe('old-token');
    });

    it.each(['reused', 'expired', 'unknown'] as const)(
      'refuses a token whose rotation finds it %s',
      async (outcome) => {
        const reused = { outcome, userId: ADA.id, spentBy: { ipAddress: '192.0.2.1', userAgent: null } };
        const rotation = (outcome === 'reused' ? reused : { outcome }) as Rotation;
        const { service } = await setUp({ rotation });
        await expect(service.sessionService.refresh('old-token', CLIENT)).rejects.toThrow(
          InvalidRefreshTokenError,
        );
      },
    );

    it('records a rotation only when it was not the plain one, in the rotation’s transaction', async () => {
      const rotated = await setUp({
        rotation: {
          outcome: 'rotated',
          sessionId: 'session-1',
          userId: ADA.id,
          role: 'user',
          organization: null,
        },
      });
      await rotated.service.sessionService.refresh('old-token', CLIENT);
      expect(rotated.audit.record).not.toHaveBeenCalled();

      const repeated = await setUp({
        rotation: {
          outcome: 'repeated',
          sessionId: 'session-1',
          userId: ADA.id,
          role: 'user',
          organization: null,
        },
      });
      await repeated.service.sessionService.refresh('old-token', CLIENT);
      expect(repeated.audit.record.mock.calls).toEqual([
        [
          {
            type: 'session.refresh-token-repeated',
            subjectUserId: ADA.id,
            actorUserId: ADA.id,
            sessionId: 'session-1',
          },
          TRANSACTION,
        ],
      ]);
    });

    it('records a reuse as anonymous, with the client that had spent the token, and logs both addresses', async () => {
      const lines = logged();
      const spentBy = { ipAddress: '192.0.2.1', userAgent: 'another browser' };
      const rotation = { outcome: 'reused', sessionId: 'session-1', userId: ADA.id, spentBy } as Rotation;
      const { service, audit } = await setUp({ rotation });
      await expect(service.sessionService.refresh('old-token', CLIENT)).rejects.toThrow(
        InvalidRefreshTokenError,
      );
      expect(audit.record.mock.calls).toEqual([
        [
          {
            type: 'session.refresh-token-reused',
            subjectUserId: ADA.id,
            actorUserId: null,
            sessionId: 'session-1',
            details: { spentByIpAddress: '192.0.2.1', spentByUserAgent: 'another browser' },
          },
          TRANSACTION,
        ],
      ]);
      expect(lines.warn).toEqual([
        `[Sessions] refresh token reused: session revoked (user ${ADA.id}, session session-1, spent from 192.0.2.1, presented again from 203.0.113.7)`,
      ]);
      const anonymous = { ...rotation, spentBy: { ipAddress: null, userAgent: null } } as Rotation;
      const unknown = await setUp({ rotation: anonymous });
      await unknown.service.sessionService
        .refresh('old-token', { ipAddress: null, userAgent: null })
        .catch(() => undefined);
      expect(lines.warn[1]).toContain('spent from unknown, presented again from unknown)');
    });

    it('logs nothing for a plain rotation: it is every client’s routine', async () => {
      const lines = logged();
      const { service } = await setUp({
        rotation: {
          outcome: 'rotated',
          sessionId: 'session-1',
          userId: ADA.id,
          role: 'user',
          organization: null,
        },
      });
      await service.sessionService.refresh('old-token', CLIENT);
      expect(lines).toEqual({ log: [], warn: [], error: [] });
    });

    it('logs a repeat served, naming the user and the session', async () => {
      const lines = logged();
      const { service } = await setUp({
        rotation: {
          outcome: 'repeated',
          sessionId: 'session-1',
          userId: ADA.id,
          role: 'user',
          organization: null,
        },
      });
      await service.sessionService.refresh('old-token', CLIENT);
      expect(lines.log).toEqual([
        `[Sessions] refresh token repeated by its client (user ${ADA.id}, session session-1)`,
      ]);
    });
  });

  describe('changePassword', () => {
    const principal = {
      userId: ADA.id,
      sessionId: 'this-session',
      role: 'user',
      user: ADA,
    } as SessionPrincipal;

    it('checks the current password under the login lock, and refuses it when the address is locked', async () => {
      const { service, hasher, lockout } = await setUp({ lockedFor: 30 });
      await expect(service.passwords.change(principal, PASSWORD, 'a new passphrase 42')).rejects.toThrow(
        TooManyAttemptsError,
      );
      expect(lockout.reserve).toHaveBeenCalledWith(ADA.email);
      expect(hasher.verify).not.toHaveBeenCalled();
    });

    it('needs the current password, and hashes nothing when it is wrong', async () => {
      const { service, hasher, users } = await setUp();
      await expect(
        service.passwords.change(principal, 'not the password', 'a new passphrase 42'),
      ).rejects.toThrow(WrongCurrentPasswordError);
      expect(hasher.hash).not.toHaveBeenCalled();
      expect(users.setPasswordHash).not.toHaveBeenCalled();
    });

    it('checks the new password like sign-up does', async () => {
      const { service, users } = await setUp();
      await expect(service.passwords.change(principal, PASSWORD, 'password1234')).rejects.toThrow(
        PasswordRejectedError,
      );
      expect(users.setPasswordHash).not.toHaveBeenCalled();
    });

    it('sets the new hash, ends every other session and revokes every API key, in one transaction', async () => {
      const { service, users, sessions, apiKeys } = await setUp();
      await service.passwords.change(principal, PASSWORD, 'a new passphrase 42');
      expect(users.setPasswordHash).toHaveBeenCalledWith(ADA.id, 'hash:a new passphrase 42', TRANSACTION);
      expect(sessions.deleteAllOf).toHaveBeenCalledWith(ADA.id, 'this-session', TRANSACTION);
      expect(apiKeys.revokeAllOf).toHaveBeenCalledWith(ADA.id, TRANSACTION);
    });

    it('ends pending sign-ins, records the change and tells the user, in the same transaction', async () => {
      const lines = logged();
      const { service, mfaChallenges, audit, notices } = await setUp();
      await service.passwords.change(principal, PASSWORD, 'a new passphrase 42');
      expect(mfaChallenges.forgetAllOf).toHaveBeenCalledWith(ADA.id, TRANSACTION);
      expect(audit.record.mock.calls).toEqual([
        [{ type: 'password.changed', subjectUserId: ADA.id }, TRANSACTION],
      ]);
      expect(notices.send).toHaveBeenCalledWith(ADA.id, 'password-changed', TRANSACTION);
      expect(lines.log).toEqual([`[Auth] password changed (user ${ADA.id})`]);
    });

    it('refuses a new password made of the user’s name, naming the field', async () => {
      const name = 'Quillon Vexmorant';
      const { service, users } = await setUp({ user: { ...ADA, name } });
      const refused = service.passwords.change({ ...principal }, PASSWORD, 'quillonvexmorant');
      await expect(refused).rejects.toThrow(PasswordRejectedError);
      await expect(refused).rejects.toMatchObject({ errors: [{ pointer: '#/newPassword' }] });
      expect(users.setPasswordHash).not.toHaveBeenCalled();
      // The same password is fine for someone of another name: the name is what made it weak.
      const other = await setUp();
      await other.service.passwords.change(principal, PASSWORD, 'quillonvexmorant');
      expect(other.users.setPasswordHash).toHaveBeenCalled();
    });

    it('records a wrong current password as a failed proof, and a lock’s first refusal as a locked one', async () => {
      const proof = (details: object) => ({
        type: 'proof.failed',
        subjectUserId: ADA.id,
        actorUserId: null,
        details,
      });
      const wrong = await setUp({ engages: 60 });
      await expect(wrong.service.credentials.checkCurrentPassword(ADA, 'not it')).rejects.toThrow(
        WrongCurrentPasswordError,
      );
      expect(recorded(wrong.audit)).toEqual([
        proof({ proof: 'password' }),
        { type: 'login.locked', subjectUserId: ADA.id, actorUserId: null, details: { lockedSeconds: 60 } },
      ]);
      expect(wrong.lockout.succeeded).not.toHaveBeenCalled();

      const locked = await setUp({ lockedFor: 30 });
      await locked.service.credentials.checkCurrentPassword(ADA, PASSWORD).catch(() => undefined);
      expect(recorded(locked.audit)).toEqual([proof({ proof: 'password', locked: true })]);
      const again = await setUp({ lockedFor: 30, firstRefusal: false });
      await again.service.credentials.checkCurrentPassword(ADA, PASSWORD).catch(() => undefined);
      expect(recorded(again.audit)).toEqual([]);

      const right = await setUp();
      await right.service.credentials.checkCurrentPassword(ADA, PASSWORD);
      expect(right.lockout.succeeded).toHaveBeenCalledWith(ADA.email);
      expect(recorded(right.audit)).toEqual([]);
    });
  });

  describe('second factors, sign-ins by another proof, sign-outs', () => {
    const right = async () => true;
    const wrong = async () => false;

    it('checks a second factor under the lock: the right one lifts it, and nothing is recorded', async () => {
      const { service, lockout, audit } = await setUp();
      expect(await checkSecondFactor(service.credentials, ADA, right, { signIn: true, method: 'totp' })).toBe(
        true,
      );
      expect(lockout.reserve).toHaveBeenCalledWith(ADA.email);
      expect(lockout.succeeded).toHaveBeenCalledWith(ADA.email);
      expect(recorded(audit)).toEqual([]);
    });

    it('records a wrong one as a failed login at a sign-in, as a failed proof elsewhere, and says when it locked', async () => {
      const atSignIn = await setUp({ engages: 60 });
      expect(
        await checkSecondFactor(atSignIn.service.credentials, ADA, wrong, { signIn: true, method: 'totp' }),
      ).toBe(false);
      expect(atSignIn.lockout.succeeded).not.toHaveBeenCalled();
      expect(recorded(atSignIn.audit)).toEqual([
        {
          type: 'login.failed',
          subjectUserId: ADA.id,
          actorUserId: null,
          details: { reason: 'wrong-second-factor' },
        },
        { type: 'login.locked', subjectUserId: ADA.id, actorUserId: null, details: { lockedSeconds: 60 } },
      ]);
      const elsewhere = await setUp();
      expect(
        await checkSecondFactor(elsewhere.service.credentials, ADA, wrong, {
          signIn: false,
          method: 'recovery-code',
        }),
      ).toBe(false);
      expect(recorded(elsewhere.audit)).toEqual([
        {
          type: 'proof.failed',
          subjectUserId: ADA.id,
          actorUserId: null,
          details: { proof: 'recovery-code' },
        },
      ]);
    });

    it('records nothing for the refusals after a lock’s first', async () => {
      for (const signIn of [true, false]) {
        const { service, audit } = await setUp({ lockedFor: 30, firstRefusal: false });
        await expect(
          checkSecondFactor(service.credentials, ADA, right, { signIn, method: 'totp' }),
        ).rejects.toBeInstanceOf(TooManyAttemptsError);
        expect(recorded(audit)).toEqual([]);
      }
    });

    it('logs a wrong second factor with the user, never the code', async () => {
      const lines = logged();
      const { service } = await setUp();
      await checkSecondFactor(service.credentials, ADA, wrong, { signIn: true, method: 'totp' });
      expect(lines.warn).toEqual([`[Auth] wrong second factor (user ${ADA.id})`]);
    });

    it('refuses a second factor while the lock holds, recording its first refusal, without verifying', async () => {
      for (const [signIn, event] of [
        [
          true,
          { type: 'login.failed', subjectUserId: ADA.id, actorUserId: null, details: { reason: 'locked' } },
        ],
        [
          false,
          {
            type: 'proof.failed',
            subjectUserId: ADA.id,
            actorUserId: null,
            details: { proof: 'totp', locked: true },
          },
        ],
      ] as const) {
        const { service, audit } = await setUp({ lockedFor: 30 });
        const verify = jest.fn(right);
        const refused = checkSecondFactor(service.credentials, ADA, verify, { signIn, method: 'totp' });
        await expect(refused).rejects.toBeInstanceOf(TooManyAttemptsError);
        await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 30 });
        expect(verify).not.toHaveBeenCalled();
        expect(recorded(audit)).toEqual([event]);
      }
    });

    it('signs in by another proof, naming it in login.succeeded; a suspended account is refused', async () => {
      const { service, sessions, audit } = await setUp();
      expect(await service.signIn.signInWith(ADA, 'passkey', CLIENT)).toMatchObject({
        accessToken: 'an.access.token',
      });
      expect(audit.describe).toHaveBeenCalledWith({
        type: 'login.succeeded',
        subjectUserId: ADA.id,
        actorUserId: ADA.id,
        details: { secondFactor: 'passkey' },
      });
      expect(sessions.create).toHaveBeenCalledWith(
        ADA.id,
        expect.any(Buffer),
        { now: NOW, expiresAt: new Date(NOW.getTime() + AUTH.refreshTokenTtlSeconds * 1000) },
        CLIENT,
        expect.objectContaining({ type: 'login.succeeded' }),
        'passkey',
      );
      const suspended = await setUp();
      await expect(
        suspended.service.signIn.signInWith({ ...ADA, status: 'suspended' }, 'passkey', CLIENT),
      ).rejects.toBeInstanceOf(AccountSuspendedError);
      expect(suspended.sessions.create).not.toHaveBeenCalled();
      expect(recorded(suspended.audit)).toEqual([
        { type: 'login.failed', subjectUserId: ADA.id, actorUserId: null, details: { reason: 'suspended' } },
      ]);
    });

    it('signs out this session, or every session and pending sign-in, each recorded in its transaction', async () => {
      const principal = { userId: ADA.id, sessionId: 'session-1' } as SessionPrincipal;
      const { service, sessions, audit, mfaChallenges, apiKeys } = await setUp();
      await service.sessionService.logout(principal);
      expect(apiKeys.revokeAllOf).not.toHaveBeenCalled();
      expect(sessions.delete).toHaveBeenCalledWith('session-1', TRANSACTION);
      expect(audit.record).toHaveBeenLastCalledWith(
        { type: 'session.logout', subjectUserId: ADA.id },
        TRANSACTION,
      );
      await service.sessionService.logoutEverywhere(principal);
      expect(sessions.deleteAllOf).toHaveBeenCalledWith(ADA.id, undefined, TRANSACTION);
      expect(apiKeys.revokeAllOf).toHaveBeenCalledWith(ADA.id, TRANSACTION);
      expect(mfaChallenges.forgetAllOf).toHaveBeenCalledWith(ADA.id, TRANSACTION);
      expect(audit.record).toHaveBeenLastCalledWith(
        { type: 'session.logout-all', subjectUserId: ADA.id },
        TRANSACTION,
      );
    });
  });
});
