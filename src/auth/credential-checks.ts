import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { FailedProof, LoginFailureReason } from './auth.audit-details.js';
import { AuditLog } from '../audit/audit-log.js';
import { Metrics } from '../metrics/metrics.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import type { User } from '../users/entities/user.entity.js';
import { TooManyAttemptsError, WrongCurrentPasswordError } from './auth.errors.js';
import type { SecondFactorMethod } from './entities/session.entity.js';
import { LoginLockout } from './login-lockout.js';

/** A second factor being checked under the address's lock: what `settleSecondFactor` needs. */
export interface SecondFactorAttempt {
  user: User;
  method: SecondFactorMethod;
  /** At a sign-in (a wrong one is a `login.failed`) or to prove oneself elsewhere (a `proof.failed`). */
  signIn: boolean;
  /** How long this attempt locks the address if the factor is wrong (0: it locks nothing). */
  lockedSeconds: number;
}

/**
 * Every proof of who one is, checked under the address's login lock (login-lockout.ts): the
 * current password and second factors, for any module that asks for one, and the records every
 * outcome leaves (`login.failed`, `proof.failed`, `login.locked`), so that a stolen access token
 * does not become an unlimited guesser and every failure is an audit event.
 */
@Injectable()
export class CredentialChecks {
  private readonly logger = new Logger('Auth');
  private readonly locks: Counter;

  constructor(
    private readonly lockout: LoginLockout,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditLog,
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

  /**
   * For a change a signed-in user makes with their password (the password, the email address, a
   * factor): a wrong one is a 400 on `#/currentPassword`, not a 401.
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
   * Lets a second factor be checked, as a password is: a 429 while the address's lock is engaged
   * (its first refusal recorded). The caller verifies the factor, spending what it accepts, and
   * then tells `settleSecondFactor` the outcome.
   */
  async beginSecondFactor(
    user: User,
    { signIn, method }: { signIn: boolean; method: SecondFactorMethod },
  ): Promise<SecondFactorAttempt> {
    const attempt = await this.lockout.reserve(user.email);
    if (!attempt.allowed) {
      if (attempt.firstRefusal)
        await (signIn ? this.loginFailed(user, 'locked') : this.proofFailed(user, method, true));
      throw new TooManyAttemptsError(attempt.retryAfterSeconds);
    }
    return { user, method, signIn, lockedSeconds: attempt.lockedSeconds };
  }

  /** The right factor lifts the lock; a wrong one counts toward it and is recorded. */
  async settleSecondFactor(
    { user, method, signIn, lockedSeconds }: SecondFactorAttempt,
    accepted: boolean,
  ): Promise<void> {
    if (accepted) return this.lockout.succeeded(user.email);
    this.logger.warn(`wrong second factor (user ${user.id})`);
    await (signIn ? this.loginFailed(user, 'wrong-second-factor') : this.proofFailed(user, method));
    await this.lockEngaged(lockedSeconds, user);
  }

  /**
   * Says so when an attempt locked an address. A locked admin is an outage waiting to happen (anyone
   * who knows the address can lock it): logged as an error and counted, to be lifted by another admin
   * (`DELETE /users/{id}/login-lock`, account-access.service.ts) or with `npm run cli -- unlock --email …` (docs/security.md).
   */
  async lockEngaged(seconds: number, user: User | null): Promise<void> {
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
}
