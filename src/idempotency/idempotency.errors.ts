import { DomainError } from '../common/errors/domain-error.js';

/** The key came with another request before: another path, or another body. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super('This Idempotency-Key was used for a different request: use a new key for a new request.');
  }
}

/** The first request with this key has not finished yet. */
export class IdempotencyKeyInUseError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_IN_USE';
  override readonly retryAfterSeconds = 1;
  constructor() {
    super('A request with this Idempotency-Key is still being processed: retry in a moment.');
  }
}
