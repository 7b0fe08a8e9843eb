import { DomainError } from '../common/errors/domain-error.js';

/** Unknown, spent, expired, or no longer matching its account: the client cannot tell which. */
export class InvalidAccountTokenError extends DomainError {
  readonly code = 'INVALID_ACCOUNT_TOKEN';
  override readonly errors = [{ pointer: '#/token', detail: 'is not valid: it may be spent or expired' }];
  constructor() {
    super('The link is not valid any more: ask for a new one.');
  }
}

export class TooManyEmailsError extends DomainError {
  readonly code = 'TOO_MANY_EMAILS';
  constructor(override readonly retryAfterSeconds: number) {
    super('Too many emails were asked for this account: try again later.');
  }
}

/** An admin asked for something a suspended account cannot use (a reset link). */
export class UserSuspendedError extends DomainError {
  readonly code = 'USER_SUSPENDED';
  constructor() {
    super('The user is suspended and could not use a reset link: unsuspend them first.');
  }
}
