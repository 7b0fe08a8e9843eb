import { QueryFailedError } from 'typeorm';

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** Whether a statement failed on a unique constraint: the owner turns it into its domain error (a taken email, a taken slug). */
export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION;
