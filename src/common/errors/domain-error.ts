/**
 * Every error a service means to tell a client about. Services throw these, never HTTP exceptions;
 * `ProblemDetailsFilter` maps each code to a status in one exhaustive switch, so adding a code
 * without deciding its status does not compile.
 */
export type DomainErrorCode =
  | 'EMAIL_TAKEN'
  | 'LAST_ADMIN'
  | 'ACCOUNT_SUSPENDED'
  | 'USER_SUSPENDED'
  | 'EMAIL_REJECTED'
  | 'SAME_EMAIL'
  | 'NOT_FOUND'
  | 'PRECONDITION_FAILED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'INVALID_CURSOR'
  | 'PASSWORD_REJECTED'
  | 'WRONG_CURRENT_PASSWORD'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_REFRESH_TOKEN'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'INSUFFICIENT_SCOPE'
  | 'API_KEY_LIMIT'
  | 'TOO_MANY_KEY_REQUESTS'
  | 'API_KEY_EXPIRY_REJECTED'
  | 'SLUG_TAKEN'
  | 'LAST_OWNER'
  | 'ALREADY_MEMBER'
  | 'INVALID_INVITATION'
  | 'SLUG_NOT_CONFIRMED'
  | 'TOO_MANY_INVITATIONS'
  | 'WEBHOOK_URL_REJECTED'
  | 'WEBHOOK_LIMIT'
  | 'DELIVERY_UNSETTLED'
  | 'TOO_MANY_ATTEMPTS'
  | 'INVALID_ACCOUNT_TOKEN'
  | 'TOO_MANY_EMAILS'
  | 'TOTP_ALREADY_ENABLED'
  | 'TOTP_NOT_SET_UP'
  | 'WRONG_SECOND_FACTOR'
  | 'INVALID_MFA_TOKEN'
  | 'INVALID_SECOND_FACTOR'
  | 'PASSKEY_LIMIT'
  | 'PASSKEY_REJECTED'
  | 'INVALID_PASSKEY'
  | 'EMAIL_NOT_VERIFIED'
  | 'REAUTHENTICATION_REQUIRED'
  | 'DATABASE_UNAVAILABLE'
  | 'DATABASE_TIMEOUT'
  | 'DEPENDENCY_UNAVAILABLE';

/** One invalid input, located by a JSON pointer into the body or by a query or path parameter name. */
export type FieldError = { pointer: string; detail: string } | { parameter: string; detail: string };

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Inputs to blame, shown to the client as the problem's `errors` array. */
  readonly errors?: FieldError[];
  /** For throttling: seconds until the client may try again (the `Retry-After` header). */
  readonly retryAfterSeconds?: number;
  /** For a 401: the challenge of its `WWW-Authenticate` header (`Bearer` when not given). */
  readonly challenge?: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A request with thousands of bad inputs, or inputs with enormous names, gets a bounded answer:
 * at most this many errors, each cut to these lengths (names come from the client).
 */
export const MAX_FIELD_ERRORS = 100;
export const FIELD_ERROR_LIMITS = { pointer: 300, parameter: 100, detail: 500 };

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function bounded(error: FieldError): FieldError {
  const detail = cut(error.detail, FIELD_ERROR_LIMITS.detail);
  return 'pointer' in error
    ? { pointer: cut(error.pointer, FIELD_ERROR_LIMITS.pointer), detail }
    : { parameter: cut(error.parameter, FIELD_ERROR_LIMITS.parameter), detail };
}

/** A request that failed validation before reaching a service (thrown by the pipes). */
export class RequestValidationError extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super('The request is not valid.');
    this.errors = errors.slice(0, MAX_FIELD_ERRORS).map(bounded);
    this.name = 'RequestValidationError';
  }
}
