import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokens, type TokenPair } from './access-tokens.js';
import { AccountSuspendedError, InvalidCredentialsError, TooManyAttemptsError } from './auth.errors.js';
import { CredentialChecks } from './credential-checks.js';
import type { SecondFactorMethod } from './entities/session.entity.js';
import { LoginLockout } from './login-lockout.js';
import { MfaChallenges } from './mfa-challenges.js';
import { RefreshTokens } from './refresh-tokens.js';
import { SessionsRepository } from './sessions.repository.js';

/** A login's answer when the account has a second factor: no tokens yet. */
export interface SecondFactorRequired {
  mfaRequired: true;
  mfaToken: string;
  methods: SecondFactorMethod[];
}

/**
 * Signing in: the password (with, for an account that has one, a second factor's challenge), or a
 * proof another module checked (a second factor's code, a passkey), and the session it starts.
 */
@Injectable()
export class SignInService implements OnModuleInit {
  private readonly logger = new Logger('Auth');
  /** Verified against when the email is unknown, so both failures cost one argon2 verification. */
  private dummyHash = '';

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsRepository,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
    private readonly hasher: PasswordHasher,
    private readonly lockout: LoginLockout,
    private readonly credentials: CredentialChecks,
    private readonly mfaChallenges: MfaChallenges,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

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
      if (attempt.firstRefusal)
        await this.credentials.loginFailed(await this.users.findByEmail(email), 'locked');
      throw new TooManyAttemptsError(attempt.retryAfterSeconds);
    }
    const user = await this.users.findByEmail(email);
    const valid = await this.hasher.verify(user?.passwordHash ?? this.dummyHash, password);
    if (!user || !valid) {
      this.logger.warn(`login failed (user ${user?.id ?? 'unknown'})`);
      await this.credentials.loginFailed(user, user ? 'wrong-password' : 'unknown-email');
      await this.credentials.lockEngaged(attempt.lockedSeconds, user);
      throw new InvalidCredentialsError();
    }
    if (user.status === 'suspended') {
      await this.lockout.succeeded(email);
      await this.credentials.loginFailed(user, 'suspended');
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
   * Signs in a user whose factors the caller checked (the second step of a login, a passkey):
   * `method` goes into the `login.succeeded` event. A suspended account is refused.
   */
  async signInWith(user: User, method: SecondFactorMethod, client: ClientInfo): Promise<TokenPair> {
    if (user.status === 'suspended') {
      await this.credentials.loginFailed(user, 'suspended');
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
    return this.accessTokens.pair(user, sessionId, refresh.token);
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
