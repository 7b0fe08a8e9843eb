import { DomainError } from '../common/errors/domain-error.js';

export class TotpAlreadyEnabledError extends DomainError {
  readonly code = 'TOTP_ALREADY_ENABLED';
  constructor() {
    super('An authenticator app is already enabled: turn it off first to set up another.');
  }
}

export class TotpNotSetUpError extends DomainError {
  readonly code = 'TOTP_NOT_SET_UP';
  constructor(enabled: boolean) {
    super(
      enabled
        ? 'The authenticator app is already confirmed.'
        : 'No authenticator app is set up: start at /auth/mfa/totp/setup.',
    );
  }
}

/** A signed-in change that asked for a code got a wrong one: a 400 on the field that carried it. */
export class WrongSecondFactorError extends DomainError {
  readonly code = 'WRONG_SECOND_FACTOR';
  override readonly errors: { pointer: string; detail: string }[];
  constructor(field: 'code' | 'recoveryCode' | 'passkey') {
    super(
      field === 'passkey' ? 'The passkey was not accepted.' : 'The code is wrong, expired or already used.',
    );
    const detail = {
      code: 'is not a current code of your authenticator app',
      recoveryCode: 'is not an unused recovery code',
      passkey: 'is not a valid assertion of one of your passkeys for a live challenge',
    }[field];
    this.errors = [{ pointer: `#/${field}`, detail }];
  }
}

/** The `mfaToken` is spent (used, or five wrong codes), expired, or was never issued: sign in again. */
export class InvalidMfaTokenError extends DomainError {
  readonly code = 'INVALID_MFA_TOKEN';
  constructor() {
    super('The sign-in has expired or was used up: sign in with your password again.');
  }
}

/** A wrong code at a sign-in's second step: the `mfaToken` still works until its fifth. */
export class InvalidSecondFactorError extends DomainError {
  readonly code = 'INVALID_SECOND_FACTOR';
  constructor() {
    super('The code is wrong, expired or already used.');
  }
}

export class PasskeyLimitError extends DomainError {
  readonly code = 'PASSKEY_LIMIT';
  constructor(limit: number) {
    super(`An account holds at most ${limit} passkeys: remove one first.`);
  }
}

/** A registration the server could not verify (wrong challenge, origin, no user verification, …). */
export class PasskeyRejectedError extends DomainError {
  readonly code = 'PASSKEY_REJECTED';
  override readonly errors = [
    { pointer: '#/response', detail: 'is not a valid registration for this challenge' },
  ];
  constructor(reason: string) {
    super(`The passkey could not be registered: ${reason}.`);
  }
}

/** A passkey sign-in that did not verify; the same answer whatever failed, as for a wrong password. */
export class InvalidPasskeyError extends DomainError {
  readonly code = 'INVALID_PASSKEY';
  constructor() {
    super('The passkey was not accepted: its challenge expired, or the credential is not registered here.');
  }
}

export class PasskeyNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor() {
    super('You have no passkey with this id.');
  }
}

/**
 * A second factor on an address nobody has proved: whoever reads the mailbox later would find the
 * account guarded by someone else's factor (account pre-hijacking; security model, I1).
 */
export class EmailNotVerifiedError extends DomainError {
  readonly code = 'EMAIL_NOT_VERIFIED';
  constructor() {
    super('Verify your email address first: a second factor can only be added to a verified address.');
  }
}
