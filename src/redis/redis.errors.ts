import { DomainError } from '../common/errors/domain-error.js';

/**
 * Redis, which counts attempts for every instance, cannot be reached, and this operation refuses
 * rather than go uncounted (docs/operations.md, "When Redis is away"). A 503: it can succeed in a
 * moment.
 */
export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  override readonly retryAfterSeconds = 5;
  constructor() {
    super(
      'The service that counts attempts cannot be reached, so this operation is refused rather than left unlimited: try again in a few seconds.',
    );
  }
}
