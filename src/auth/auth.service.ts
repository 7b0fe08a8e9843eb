import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions } from '../database/transactions.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokens } from './access-tokens.js';
import {
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  TooManyAttemptsError,
  WrongCurrentPasswordError,
} from './auth.errors.js';
import { LoginLockout } from './login-lockout.js';
import { hashOpaqueToken, newOpaqueToken } from '../common/opaque-tokens.js';
import type { Principal } from './principal.js';
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

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsRepository,
    private readonly accessTokens: AccessTokens,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly lockout: LoginLockout,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hasher.hash(randomBytes(16).toString('hex'));
  }

  async login(email: string, password: string): Promise<TokenPair> {
    const retryAfter = await this.lockout.retryAfterSeconds(email);
    if (retryAfter > 0) throw new TooManyAttemptsError(retryAfter);
    const user = await this.users.findByEmail(email);
    const valid = await this.hasher.verify(user?.passwordHash ?? this.dummyHash, password);
    if (!user || !valid) {
      const locked = await this.lockout.recordFailure(email);
      this.logger.warn(`login failed (user ${user?.id ?? 'unknown'})`);
      if (locked > 0) this.logger.warn(`login locked for ${locked} s (user ${user?.id ?? 'unknown'})`);
      throw new InvalidCredentialsError();
    }
    await this.lockout.recordSuccess(email);
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(user.id, await this.hasher.hash(password));
    }
    const now = this.clock.now();
    const refresh = newOpaqueToken();
    const expiresAt = new Date(now.getTime() + this.auth.refreshTokenTtlSeconds * 1000);
    const sessionId = await this.sessions.create(user.id, refresh.hash, now, expiresAt);
    this.logger.log(`login (user ${user.id}, session ${sessionId})`);
    return this.pair(user.id, sessionId, refresh.token);
  }

  /** Spends the refresh token for a new pair; a spent token ends its whole session. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock.now();
    const idleSince = new Date(now.getTime() - this.auth.sessionIdleTtlSeconds * 1000);
    const next = newOpaqueToken();
    const rotation = await this.sessions.rotate(hashOpaqueToken(refreshToken), next.hash, now, idleSince);
    switch (rotation.outcome) {
      case 'rotated':
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
    if (!(await this.hasher.verify(user.passwordHash, currentPassword)))
      throw new WrongCurrentPasswordError();
    this.passwordPolicy.check(newPassword, user.email, 'newPassword');
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (transaction) => {
      await this.users.setPasswordHash(user.id, passwordHash, transaction);
      await this.sessions.deleteAllOf(user.id, principal.sessionId, transaction);
    });
    this.logger.log(`password changed (user ${user.id})`);
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
