import { DomainError } from '../common/errors/domain-error.js';

/** The same for an unknown email and a wrong password, so that neither gives the other away. */
export class InvalidCredentialsError extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('The email or the password is wrong.');
  }
}

export class InvalidRefreshTokenError extends DomainError {
  readonly code = 'INVALID_REFRESH_TOKEN';
  constructor() {
    super('The refresh token is not valid: sign in again.');
  }
}

export class TooManyAttemptsError extends DomainError {
  readonly code = 'TOO_MANY_ATTEMPTS';
  constructor(override readonly retryAfterSeconds: number) {
    super('Too many failed sign-in attempts for this account: try again later.');
  }
}

export class WrongCurrentPasswordError extends DomainError {
  readonly code = 'WRONG_CURRENT_PASSWORD';
  override readonly errors = [{ pointer: '#/currentPassword', detail: 'is not the current password' }];
  constructor() {
    super('The current password is wrong.');
  }
}

/** Also what a caller gets for another account's session: the two must be indistinguishable. */
export class SessionNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor() {
    super('You have no session with this id.');
  }
}

/**
 * The password was right, but an admin suspended the account. Told only after a correct password:
 * a wrong one is the usual 401, so this says nothing to someone who does not know the password.
 */
export class AccountSuspendedError extends DomainError {
  readonly code = 'ACCOUNT_SUSPENDED';
  constructor() {
    super('This account is suspended: contact an administrator.');
  }
}
