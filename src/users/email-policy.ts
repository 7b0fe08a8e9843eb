import { Inject, Injectable } from '@nestjs/common';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { scriptRestrictionProblem } from '../common/script-restriction.js';

export class EmailRejectedError extends DomainError {
  readonly code = 'EMAIL_REJECTED';
  override readonly errors;

  constructor(field: string, reason: string) {
    super(`The email address was not accepted: ${reason}`);
    this.errors = [{ pointer: `#/${field}`, detail: reason }];
  }
}

/**
 * What an address must be to name a new account, beyond its syntax (which the DTO checks): letters
 * of scripts that do not belong together are refused at the configured UTS #39 restriction level.
 * Only new addresses are checked; accounts that exist keep working whatever the level becomes.
 */
@Injectable()
export class EmailPolicy {
  constructor(@Inject(authConfig.KEY) private readonly auth: AuthConfig) {}

  check(email: string, field = 'email'): void {
    const reason = scriptRestrictionProblem(email, this.auth.emailRestrictionLevel);
    if (reason) throw new EmailRejectedError(field, reason);
  }
}
