import { Inject, Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { DomainError } from '../common/errors/domain-error.js';

export const PASSWORD_MAX_LENGTH = 128;

export class PasswordRejectedError extends DomainError {
  readonly code = 'PASSWORD_REJECTED';
  override readonly errors;

  constructor(field: string, reason: string) {
    super(`The ${field === 'password' ? 'password' : 'new password'} was not accepted: ${reason}`);
    this.errors = [{ pointer: `#/${field}`, detail: reason }];
  }
}

/**
 * NIST SP 800-63B rules, the same at sign-up, change and reset: a minimum length, no composition
 * rules, not a known common password, not the email. Passwords are compared exactly as sent.
 * The common passwords are zxcvbn-ts's list (about 49,000, from breach corpora; maintained), in a
 * Set: one lookup per check, where the list it replaced was scanned twice.
 */
@Injectable()
export class PasswordPolicy {
  private readonly common = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));

  constructor(@Inject(authConfig.KEY) private readonly auth: AuthConfig) {}

  /** Throws `PasswordRejectedError` naming `field` when the password may not be used. */
  check(password: string, email: string, field = 'password'): void {
    const reason = this.reasonToReject(password, email);
    if (reason) throw new PasswordRejectedError(field, reason);
  }

  private reasonToReject(password: string, email: string): string | undefined {
    const length = [...password].length;
    if (length < this.auth.passwordMinLength)
      return `must be at least ${this.auth.passwordMinLength} characters long`;
    if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters long`;
    if (password.toLowerCase() === email.toLowerCase()) return 'must not be the email address';
    if (this.common.has(password.toLowerCase())) {
      return 'is too common; choose a less guessable passphrase';
    }
    return undefined;
  }
}
