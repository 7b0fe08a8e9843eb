import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';

interface Entry {
  failures: number;
  locks: number;
  lockedUntil: number;
  lastFailure: number;
}

const FORGET_AFTER_MS = 24 * 3600 * 1000;
const MAX_LOCK_MS = 24 * 3600 * 1000;
/** Bounds memory under a flood of distinct emails; the oldest entries go first. */
const MAX_ENTRIES = 100_000;

/**
 * Locks an email after AUTH_LOCKOUT_THRESHOLD failed logins, for AUTH_LOCKOUT_DURATION, twice as long
 * at each further lock (up to a day); forgotten a day after the last failure [ASVS 6.3.1]. Unknown
 * emails are counted like known ones, so the lock reveals nothing. State is per process.
 */
@Injectable()
export class LoginLockout {
  private readonly entries = new Map<string, Entry>();

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Seconds until the email may try again; 0 when it is not locked. */
  retryAfterSeconds(email: string): number {
    if (!this.app.rateLimit.enabled) return 0;
    const entry = this.entries.get(key(email));
    const remaining = (entry?.lockedUntil ?? 0) - this.clock.now().getTime();
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  recordFailure(email: string): void {
    if (!this.app.rateLimit.enabled) return;
    const now = this.clock.now().getTime();
    const id = key(email);
    const previous = this.entries.get(id);
    const entry =
      previous && now - previous.lastFailure < FORGET_AFTER_MS
        ? previous
        : { failures: 0, locks: 0, lockedUntil: 0, lastFailure: now };
    entry.failures += 1;
    entry.lastFailure = now;
    if (entry.failures >= this.auth.lockoutThreshold) {
      const duration = Math.min(this.auth.lockoutSeconds * 1000 * 2 ** entry.locks, MAX_LOCK_MS);
      entry.lockedUntil = now + duration;
      entry.locks += 1;
      entry.failures = 0;
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  recordSuccess(email: string): void {
    this.entries.delete(key(email));
  }
}

const key = (email: string) => email.toLowerCase();
