import { DomainError } from '../common/errors/domain-error.js';
import type { ApiScope } from './api-scopes.js';

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

/**
 * An API key on a route that does not take it, or without the scope the route needs. RFC 6750
 * §3.1's `insufficient_scope`, with the scope named in the challenge when there is one.
 */
export class InsufficientScopeError extends DomainError {
  readonly code = 'INSUFFICIENT_SCOPE';
  override readonly challenge: string;
  constructor(scope: ApiScope | undefined) {
    super(
      scope
        ? `This API key lacks the scope ${scope}, which this operation needs.`
        : 'This operation is for people signed in: API keys may not call it.',
    );
    this.challenge = `Bearer error="insufficient_scope"${scope ? `, scope="${scope}"` : ''}`;
  }
}

/**
 * An organization that does not exist, or of which the caller is not a member: the same answer,
 * so that nobody learns which organizations exist by asking (BOLA).
 */
export class OrganizationNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor() {
    super('No such organization.');
  }
}

/** A member whose role in the organization does not allow the operation. */
export class OrganizationForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor() {
    super('Your role in this organization may not use this operation.');
  }
}
