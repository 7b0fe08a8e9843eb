import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Counter } from 'prom-client';
import type { FailedProof, LoginFailureReason } from '../audit/audit-event-types.js';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { Metrics } from '../metrics/metrics.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokens } from './access-tokens.js';
import {
  AccountSuspendedError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  TooManyAttemptsError,
  WrongCurrentPasswordError,
} from './auth.errors.js';
import { LoginLockout } from './login-lockout.js';
import { MfaChallenges } from './mfa-challenges.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import type { Principal } from '../access/principal.js';
import type { SecondFactorMethod } from './entities/session.entity.js';
import { RefreshTokens } from './refresh-tokens.js';
import { SessionsRepository } from './sessions.repository.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** A login's answer when the account has a second factor: no tokens yet. */
export interface SecondFactorRequired {
  mfaRequired: true;
  mfaToken: string;
  methods: SecondFactorMethod[];
}

@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger('Auth');
  /** Verified against when the email is unknown, so both failures cost one argon2 verification. */
  private dummyHash = '';
  private readonly locks: Counter;

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsRepository,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly lockout: LoginLockout,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly mfaChallenges: MfaChallenges,
    private readonly notices: SecurityNotices,
    metrics: Metrics,
  ) {
    this.locks = new Counter({
      name: 'auth_locks_total',
      // No label for the kind of account: it would tell whoever reads the metrics whether an
      // address has one (docs/security-model.md, I10). Admin locks are logged as errors.
      help: 'Locks engaged on an address by repeated wrong passwords or codes.',
      registers: [metrics.registry],
    });
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash(randomBytes(16).toString('hex'));
  }

  /**
   * A password is checked only once the lock has let the attempt through (login-lockout.ts). Every
   * outcome is an audit event: the session and its `login.succeeded` commit together. With a
   * second factor the answer is a challenge, and the address's lock is not lifted: it counts the
   * codes that follow too, so that knowing the password does not buy unlimited guesses at a code.
   */
  async login(
    email: string,
    password: string,
    client: ClientInfo,
  ): Promise<TokenPair | SecondFactorRequired> {
    const attempt = await this.lockout.reserve(email);
    if (!attempt.allowed) {
      // One row per lock, not per refused attempt: a refusal costs no hash, so rows would be free (I6).
      if (attempt.firstRefusal) await this.loginFailed(await this.users.findByEmail(email), 'locked');
      throw new TooManyAttemptsError(attempt.retryAfterSeconds);
    }
    const user = await this.users.findByEmail(email);
    const valid = await this.hasher.verify(user?.passwordHash ?? this.dummyHash, password);
    if (!user || !valid) {
      this.logger.warn(`login failed (user ${user?.id ?? 'unknown'})`);
      await this.loginFailed(user, user ? 'wrong-password' : 'unknown-email');
      await this.lockEngaged(attempt.lockedSeconds, user);
      throw new InvalidCredentialsError();
    }
    if (user.status === 'suspended') {
      await this.lockout.succeeded(email);
      await this.loginFailed(user, 'suspended');
      throw new AccountSuspendedError();
    }
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(user.id, await this.hasher.hash(password));
    }
    const methods = secondFactorMethodsOf(user);
    if (methods.length > 0) {
      const mfaToken = await this.mfaChallenges.issue('login', user.id);
      return { mfaRequired: true, mfaToken, methods };
    }
    await this.lockout.succeeded(email);
    return this.startSession(user, client);
  }

  /**
   * Checks a second factor under the address's lock, as a password is checked: refused with a 429
   * while the lock is engaged; a wrong one counts toward the lock (and, at a sign-in, is a
   * `login.failed` with `wrong-second-factor`); the right one lifts it. `verify` spends what it accepts.
   */
  async checkSecondFactor(
    user: User,
    verify: () => Promise<boolean>,
    { signIn, method }: { signIn: boolean; method: SecondFactorMethod },
  ): Promise<boolean> {
    const attempt = await this.lockout.reserve(user.email);
    if (!attempt.allowed) {
      if (attempt.firstRefusal)
        await (signIn ? this.loginFailed(user, 'locked') : this.proofFailed(user, method, true));
      throw new TooManyAttemptsError(attempt.retryAfterSeconds);
    }
    if (await verify()) {
      await this.lockout.succeeded(user.email);
      return true;
    }
    this.logger.warn(`wrong second factor (user ${user.id})`);
    await (signIn ? this.loginFailed(user, 'wrong-second-factor') : this.proofFailed(user, method));
    await this.lockEngaged(attempt.lockedSeconds, user);
    return false;
  }

  /**
   * Signs in a user whose factors the caller checked (the second step of a login, a passkey):
   * `method` goes into the `login.succeeded` event. A suspended account is refused.
   */
  async signInWith(user: User, method: SecondFactorMethod, client: ClientInfo): Promise<TokenPair> {
    if (user.status === 'suspended') {
      await this.loginFailed(user, 'suspended');
      throw new AccountSuspendedError();
    }
    return this.startSession(user, client, method);
  }

  /** The session, its first refresh token and its `login.succeeded`, in one statement. */
  private async startSession(
    user: User,
    client: ClientInfo,
    secondFactor?: SecondFactorMethod,
  ): Promise<TokenPair> {
    const now = this.clock.now();
    const refresh = this.refreshTokens.first();
    const expiresAt = new Date(now.getTime() + this.auth.refreshTokenTtlSeconds * 1000);
    // The session's id is the statement's to give the event.
    const event = this.audit.describe({
      type: 'login.succeeded',
      subjectUserId: user.id,
      actorUserId: user.id,
      ...(secondFactor && { details: { secondFactor } }),
    });
    const sessionId = await this.sessions.create(
      user.id,
      refresh.hash,
      { now, expiresAt },
      client,
      event,
      secondFactor ?? null,
    );
    // Suspended or deleted between the password check and now.
    if (!sessionId) throw new InvalidCredentialsError();
    this.logger.log(`login (user ${user.id}, session ${sessionId})`);
    return this.pair(user.id, sessionId, refresh.token);
  }

  /**
   * Spends the refresh token for a new pair. A token spent again ends its whole session, unless it
   * comes within AUTH_REFRESH_REUSE_INTERVAL of its spending while its successor is still unused: then
   * the caller is a second tab or a retry, and gets that same successor (refresh-tokens.ts).
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const now = this.clock.now();
    const next = this.refreshTokens.successorOf(refreshToken);
    const times = {
      now,
      idleSince: new Date(now.getTime() - this.auth.sessionIdleTtlSeconds * 1000),
      repeatSince: new Date(now.getTime() - this.auth.refreshReuseSeconds * 1000),
    };
    const rotation = await this.transactions.run(async (transaction) => {
      const result = await this.sessions.rotate(
        hashOpaqueToken(refreshToken),
        next.hash,
        times,
        client,
        transaction,
      );
      if (result.outcome === 'reused') await this.reuseDetected(result, transaction);
      if (result.outcome === 'repeated') await this.repeatServed(result, transaction);
      return result;
    });
    switch (rotation.outcome) {
      case 'rotated':
        return this.pair(rotation.userId, rotation.sessionId, next.token);
      case 'repeated':
        this.logger.log(
          `refresh token repeated by its client (user ${rotation.userId}, session ${rotation.sessionId})`,
        );
        return this.pair(rotation.userId, rotation.sessionId, next.token);
      case 'reused':
        this.logger.warn(
          `refresh token reused: session revoked (user ${rotation.userId}, session ${rotation.sessionId}, spent from ${rotation.spentBy.ipAddress ?? 'unknown'}, presented again from ${client.ipAddress ?? 'unknown'})`,
        );
        throw new InvalidRefreshTokenError();
      case 'expired':
      case 'unknown':
        throw new InvalidRefreshTokenError();
    }
  }

  async logout(principal: Principal): Promise<void> {
    await this.transactions.run(async (transaction) => {
      await this.sessions.delete(principal.sessionId, transaction);
      await this.audit.record({ type: 'session.logout', subjectUserId: principal.userId }, transaction);
    });
  }

  async logoutEverywhere(principal: Principal): Promise<void> {
    await this.transactions.run(async (transaction) => {
      await this.sessions.deleteAllOf(principal.userId, undefined, transaction);
      await this.mfaChallenges.forgetAllOf(principal.userId, transaction);
      await this.audit.record({ type: 'session.logout-all', subjectUserId: principal.userId }, transaction);
    });
  }

  /**
   * Needs the current password; keeps this session and ends every other one and every pending
   * sign-in, in one transaction.
   */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.getById(principal.userId);
    await this.checkCurrentPassword(user, currentPassword);
    await this.passwordPolicy.check(newPassword, user.email, 'newPassword', [user.name]);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (transaction) => {
      await this.users.setPasswordHash(user.id, passwordHash, transaction);
      await this.sessions.deleteAllOf(user.id, principal.sessionId, transaction);
      // A sign-in pending on the old password ends too (I5); links die with their binding to it.
      await this.mfaChallenges.forgetAllOf(user.id, transaction);
      await this.audit.record({ type: 'password.changed', subjectUserId: user.id }, transaction);
      await this.notices.send(user.id, 'password-changed', transaction);
    });
    this.logger.log(`password changed (user ${user.id})`);
  }

  /**
   * For a change a signed-in user makes with their password (the password, the email address): the
   * password is checked under the same lock as a login, so that a stolen access token does not
   * become an unlimited guesser. A wrong one is a 400 on `#/currentPassword`, not a 401.
   */
  async checkCurrentPassword(user: User, currentPassword: string): Promise<void> {
    const attempt = await this.lockout.reserve(user.email);
    if (!attempt.allowed) {
      if (attempt.firstRefusal) await this.proofFailed(user, 'password', true);
      throw new TooManyAttemptsError(attempt.retryAfterSeconds);
    }
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      await this.proofFailed(user, 'password');
      await this.lockEngaged(attempt.lockedSeconds, user);
      throw new WrongCurrentPasswordError();
    }
    await this.lockout.succeeded(user.email);
  }

  /**
   * Says so when an attempt locked an address. A locked admin is an outage waiting to happen (anyone
   * who knows the address can lock it): logged as an error and counted, to be lifted by another admin
   * (`DELETE /users/{id}/login-lock`, account-access.service.ts) or with `npm run cli -- unlock --email …` (docs/security.md).
   */
  private async lockEngaged(seconds: number, user: User | null): Promise<void> {
    if (seconds === 0) return;
    this.locks.inc();
    const event = { type: 'login.locked', subjectUserId: user?.id ?? null, actorUserId: null } as const;
    await this.audit.record({ ...event, details: { lockedSeconds: seconds } });
    const message = `login locked for ${seconds} s (user ${user?.id ?? 'unknown'})`;
    if (user?.role === 'admin')
      this.logger.error(`${message}: an admin account; npm run cli -- unlock lifts it`);
    else this.logger.warn(message);
  }

  /**
   * Whoever presented a spent token is not known to be the account's holder: anonymous. The row
   * holds their client; `details` the client that had spent it.
   */
  private reuseDetected(
    { userId, sessionId, spentBy }: { userId: string; sessionId: string; spentBy: ClientInfo },
    transaction: Transaction,
  ) {
    const event = {
      type: 'session.refresh-token-reused',
      subjectUserId: userId,
      actorUserId: null,
      sessionId,
      details: { spentByIpAddress: spentBy.ipAddress, spentByUserAgent: spentBy.userAgent },
    } as const;
    return this.audit.record(event, transaction);
  }

  /** A repeat served (the same client, within the interval) is recorded too: the successor went out twice. */
  private repeatServed(
    { userId, sessionId }: { userId: string; sessionId: string },
    transaction: Transaction,
  ) {
    const event = {
      type: 'session.refresh-token-repeated',
      subjectUserId: userId,
      actorUserId: userId,
      sessionId,
    } as const;
    return this.audit.record(event, transaction);
  }

  /**
   * A wrong proof outside a sign-in (a current password, a code, an `mfaToken`), or the lock's first
   * refusal of one (I6). Anonymous, as a failed login: whoever tried is not known to be the holder.
   */
  proofFailed(user: User | null, proof: FailedProof, locked = false): Promise<void> {
    const event = { type: 'proof.failed', subjectUserId: user?.id ?? null, actorUserId: null } as const;
    return this.audit.record({ ...event, details: locked ? { proof, locked } : { proof } });
  }

  /** Anonymous: whoever tried is not known to be the account's holder. */
  loginFailed(user: User | null, reason: LoginFailureReason): Promise<void> {
    const event = { type: 'login.failed', subjectUserId: user?.id ?? null, actorUserId: null } as const;
    return this.audit.record({ ...event, details: { reason } });
  }

  private pair(userId: string, sessionId: string, refreshToken: string): TokenPair {
    return {
      accessToken: this.accessTokens.issue({ sub: userId, sid: sessionId }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
    };
  }
}

/** A confirmed authenticator app brings its recovery codes; a passkey answers on its own. */
export function secondFactorMethodsOf(
  user: Pick<User, 'totpEnabled' | 'passkeyCount'>,
): SecondFactorMethod[] {
  return [
    ...(user.totpEnabled ? (['totp', 'recovery-code'] as const) : []),
    ...(user.passkeyCount > 0 ? (['passkey'] as const) : []),
  ];
}
