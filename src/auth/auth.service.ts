import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Counter } from 'prom-client';
import { Clock } from '../common/clock.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions } from '../database/transactions.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { Metrics } from '../metrics/metrics.js';
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
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import type { Principal } from './principal.js';
import { RefreshTokens } from './refresh-tokens.js';
import { SessionsRepository } from './sessions.repository.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger('Auth');
  /** Verified against when the email is unknown, so both failures cost one argon2 verification. */
  private dummyHash = '';
  private readonly locks: Counter<'account'>;

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
    metrics: Metrics,
  ) {
    this.locks = new Counter({
      name: 'auth_locks_total',
      help: 'Locks engaged on an address by repeated wrong passwords, by the kind of account (user, admin, unknown).',
      labelNames: ['account'] as const,
      registers: [metrics.registry],
    });
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash(randomBytes(16).toString('hex'));
  }

  /** A password is checked only once the lock has let the attempt through (login-lockout.ts). */
  async login(email: string, password: string, client: ClientInfo): Promise<TokenPair> {
    const attempt = await this.lockout.reserve(email);
    if (!attempt.allowed) throw new TooManyAttemptsError(attempt.retryAfterSeconds);
    const user = await this.users.findByEmail(email);
    const valid = await this.hasher.verify(user?.passwordHash ?? this.dummyHash, password);
    if (!user || !valid) {
      this.logger.warn(`login failed (user ${user?.id ?? 'unknown'})`);
      this.lockEngaged(attempt.lockedSeconds, user);
      throw new InvalidCredentialsError();
    }
    await this.lockout.succeeded(email);
    if (user.status === 'suspended') throw new AccountSuspendedError();
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(user.id, await this.hasher.hash(password));
    }
    const now = this.clock.now();
    const refresh = this.refreshTokens.first();
    const expiresAt = new Date(now.getTime() + this.auth.refreshTokenTtlSeconds * 1000);
    const sessionId = await this.sessions.create(user.id, refresh.hash, { now, expiresAt }, client);
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
    const rotation = await this.sessions.rotate(
      hashOpaqueToken(refreshToken),
      next.hash,
      {
        now,
        idleSince: new Date(now.getTime() - this.auth.sessionIdleTtlSeconds * 1000),
        repeatSince: new Date(now.getTime() - this.auth.refreshReuseSeconds * 1000),
      },
      client,
    );
    switch (rotation.outcome) {
      case 'rotated':
      case 'repeated':
        return this.pair(rotation.userId, rotation.sessionId, next.token);
      case 'reused':
        this.logger.warn(`refresh token reused: session revoked (user ${rotation.userId})`);
        throw new InvalidRefreshTokenError();
      case 'expired':
      case 'unknown':
        throw new InvalidRefreshTokenError();
    }
  }

  async logout(principal: Principal): Promise<void> {
    await this.sessions.delete(principal.sessionId);
  }

  async logoutEverywhere(principal: Principal): Promise<void> {
    await this.sessions.deleteAllOf(principal.userId);
  }

  /** Needs the current password; keeps this session and ends every other one, in one transaction. */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.getById(principal.userId);
    await this.checkCurrentPassword(user, currentPassword);
    this.passwordPolicy.check(newPassword, user.email, 'newPassword', [user.name]);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (transaction) => {
      await this.users.setPasswordHash(user.id, passwordHash, transaction);
      await this.sessions.deleteAllOf(user.id, principal.sessionId, transaction);
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
    if (!attempt.allowed) throw new TooManyAttemptsError(attempt.retryAfterSeconds);
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      this.lockEngaged(attempt.lockedSeconds, user);
      throw new WrongCurrentPasswordError();
    }
    await this.lockout.succeeded(user.email);
  }

  /**
   * Says so when an attempt locked an address. A locked admin is an outage waiting to happen (anyone
   * who knows the address can lock it): logged as an error and counted, to be lifted by another admin
   * (`DELETE /users/{id}/login-lock`, account-access.service.ts) or with `npm run cli -- unlock --email …` (README, "Security").
   */
  private lockEngaged(seconds: number, user: User | null): void {
    if (seconds === 0) return;
    this.locks.inc({ account: user?.role ?? 'unknown' });
    const message = `login locked for ${seconds} s (user ${user?.id ?? 'unknown'})`;
    if (user?.role === 'admin')
      this.logger.error(`${message}: an admin account; npm run cli -- unlock lifts it`);
    else this.logger.warn(message);
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
