import { DomainError } from '../common/errors/domain-error.js';

/**
 * Missing, malformed, expired, tampered or revoked credentials. A request that presented a token
 * is told it was not valid in its challenge; one that presented none is only asked for one
 * (RFC 6750 §3.1).
 */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  override readonly challenge: string;
  constructor(
    message = 'A valid access token is required: sign in, then send it as a Bearer token.',
    { tokenPresented = true } = {},
  ) {
    super(message);
    this.challenge = tokenPresented ? 'Bearer error="invalid_token"' : 'Bearer';
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor() {
    super('Your role may not use this operation.');
  }
}

/** A change that weakens the account, asked for by a session that has not proved itself recently (I2). */
export class ReauthenticationRequiredError extends DomainError {
  readonly code = 'REAUTHENTICATION_REQUIRED';
  constructor(windowSeconds: number) {
    super(
      `This needs a recent sign-in: confirm it is you at /auth/reauthenticate (it counts for ${Math.round(windowSeconds / 60)} minutes), then try again.`,
    );
  }
}
