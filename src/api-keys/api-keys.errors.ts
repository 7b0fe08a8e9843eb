import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { MAX_API_KEYS_PER_USER } from './entities/api-key.entity.js';

export class ApiKeyLimitError extends DomainError {
  readonly code = 'API_KEY_LIMIT';
  constructor() {
    super(`The account has ${MAX_API_KEYS_PER_USER} API keys, the most it may: revoke one first.`);
  }
}

/** A key used more than RATE_LIMIT_API_KEY_PER_MINUTE times in a minute, from wherever. */
export class TooManyKeyRequestsError extends DomainError {
  readonly code = 'TOO_MANY_KEY_REQUESTS';
  constructor(override readonly retryAfterSeconds: number) {
    super('Too many requests with this API key: retry after the Retry-After seconds.');
  }
}

/** An `expiresAt` in the past, or later than API_KEY_MAX_TTL allows. */
export class ApiKeyExpiryRejectedError extends DomainError {
  readonly code = 'API_KEY_EXPIRY_REJECTED';
  override readonly errors: FieldError[];
  constructor(detail: string) {
    super(detail);
    this.errors = [{ pointer: '#/expiresAt', detail }];
  }
}

/** Another account's key, as one that does not exist. */
export class ApiKeyNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor() {
    super('No API key with this id.');
  }
}
