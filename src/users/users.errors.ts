import { DomainError } from '../common/errors/domain-error.js';

export class EmailTakenError extends DomainError {
  readonly code = 'EMAIL_TAKEN';
  constructor() {
    super('An account with this email address already exists.');
  }
}

/** An email change to the address the account has already (however it is spelled). */
export class SameEmailError extends DomainError {
  readonly code = 'SAME_EMAIL';
  override readonly errors = [{ pointer: '#/newEmail', detail: 'is the address this account has already' }];
  constructor() {
    super('This is already the email address of the account.');
  }
}

/** Also what a caller gets for a user it may not see: the two must be indistinguishable. */
export class UserNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor() {
    super('No user with this id.');
  }
}

/** The change would leave no active admin: nobody could administer the service any more. */
export class LastAdminError extends DomainError {
  readonly code = 'LAST_ADMIN';
  constructor() {
    super('This is the only active admin: make another admin first.');
  }
}

/** `If-Match` named a representation of the user that is no longer the current one. */
export class UserChangedError extends DomainError {
  readonly code = 'PRECONDITION_FAILED';
  constructor() {
    super('The user changed since the representation you sent in If-Match: read it again, then retry.');
  }
}
