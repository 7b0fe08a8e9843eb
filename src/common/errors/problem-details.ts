import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import {
  DomainError,
  RequestValidationError,
  type DomainErrorCode,
  type FieldError,
} from './domain-error.js';

/** RFC 9457 problem details, less `instance` and `requestId`, which the filter adds per request. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const PROBLEM_BASE = '/problems/';

/** The problem of a status and a slug, as the filter sends it (the OpenAPI examples are made by it too). */
export function makeProblem(
  status: number,
  slug: string | undefined,
  detail: string,
  errors?: FieldError[],
): Problem {
  return {
    type: slug ? PROBLEM_BASE + slug : 'about:blank',
    title: slug ? titleOf(slug) : (STATUS_CODES[status] ?? 'Error'),
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}
const titleOf = (slug: string) => slug[0].toUpperCase() + slug.slice(1).replaceAll('-', ' ');

function statusOf(code: DomainErrorCode): { status: number; slug: string } {
  switch (code) {
    case 'EMAIL_TAKEN':
      return { status: HttpStatus.CONFLICT, slug: 'email-taken' };
    case 'LAST_ADMIN':
      return { status: HttpStatus.CONFLICT, slug: 'last-admin' };
    case 'USER_SUSPENDED':
      return { status: HttpStatus.CONFLICT, slug: 'user-suspended' };
    case 'ACCOUNT_SUSPENDED':
      return { status: HttpStatus.FORBIDDEN, slug: 'account-suspended' };
    case 'NOT_FOUND':
      return { status: HttpStatus.NOT_FOUND, slug: 'not-found' };
    case 'PRECONDITION_FAILED':
      return { status: HttpStatus.PRECONDITION_FAILED, slug: 'precondition-failed' };
    case 'IDEMPOTENCY_KEY_REUSED':
      return { status: HttpStatus.UNPROCESSABLE_ENTITY, slug: 'idempotency-key-reused' };
    case 'IDEMPOTENCY_KEY_IN_USE':
      return { status: HttpStatus.CONFLICT, slug: 'idempotency-key-in-use' };
    case 'TOTP_ALREADY_ENABLED':
      return { status: HttpStatus.CONFLICT, slug: 'totp-already-enabled' };
    case 'TOTP_NOT_SET_UP':
      return { status: HttpStatus.CONFLICT, slug: 'totp-not-set-up' };
    case 'PASSKEY_LIMIT':
      return { status: HttpStatus.CONFLICT, slug: 'passkey-limit' };
    case 'INVALID_MFA_TOKEN':
      return { status: HttpStatus.UNAUTHORIZED, slug: 'invalid-mfa-token' };
    case 'INVALID_SECOND_FACTOR':
      return { status: HttpStatus.UNAUTHORIZED, slug: 'invalid-second-factor' };
    case 'INVALID_PASSKEY':
      return { status: HttpStatus.UNAUTHORIZED, slug: 'invalid-passkey' };
    case 'INVALID_CURSOR':
    case 'WRONG_SECOND_FACTOR':
    case 'PASSKEY_REJECTED':
    case 'EMAIL_REJECTED':
    case 'SAME_EMAIL':
    case 'PASSWORD_REJECTED':
    case 'WRONG_CURRENT_PASSWORD':
    case 'INVALID_ACCOUNT_TOKEN':
    case 'API_KEY_EXPIRY_REJECTED':
    case 'SLUG_NOT_CONFIRMED':
    case 'WEBHOOK_URL_REJECTED':
      return { status: HttpStatus.BAD_REQUEST, slug: 'validation-failed' };
    case 'INVALID_CREDENTIALS':
      return { status: HttpStatus.UNAUTHORIZED, slug: 'invalid-credentials' };
    case 'INVALID_REFRESH_TOKEN':
      return { status: HttpStatus.UNAUTHORIZED, slug: 'invalid-refresh-token' };
    case 'UNAUTHENTICATED':
      return { status: HttpStatus.UNAUTHORIZED, slug: 'unauthenticated' };
    case 'FORBIDDEN':
      return { status: HttpStatus.FORBIDDEN, slug: 'forbidden' };
    case 'INSUFFICIENT_SCOPE':
      return { status: HttpStatus.FORBIDDEN, slug: 'insufficient-scope' };
    case 'API_KEY_LIMIT':
      return { status: HttpStatus.CONFLICT, slug: 'api-key-limit' };
    case 'SLUG_TAKEN':
      return { status: HttpStatus.CONFLICT, slug: 'slug-taken' };
    case 'LAST_OWNER':
      return { status: HttpStatus.CONFLICT, slug: 'last-owner' };
    case 'ALREADY_MEMBER':
      return { status: HttpStatus.CONFLICT, slug: 'already-member' };
    case 'WEBHOOK_LIMIT':
      return { status: HttpStatus.CONFLICT, slug: 'webhook-limit' };
    case 'DELIVERY_UNSETTLED':
      return { status: HttpStatus.CONFLICT, slug: 'delivery-unsettled' };
    case 'INVALID_INVITATION':
      return { status: HttpStatus.BAD_REQUEST, slug: 'invalid-invitation' };
    case 'TOO_MANY_KEY_REQUESTS':
    case 'TOO_MANY_INVITATIONS':
      return { status: HttpStatus.TOO_MANY_REQUESTS, slug: 'too-many-requests' };
    case 'EMAIL_NOT_VERIFIED':
      return { status: HttpStatus.FORBIDDEN, slug: 'email-not-verified' };
    case 'REAUTHENTICATION_REQUIRED':
      return { status: HttpStatus.FORBIDDEN, slug: 'reauthentication-required' };
    case 'TOO_MANY_ATTEMPTS':
    case 'TOO_MANY_EMAILS':
      return { status: HttpStatus.TOO_MANY_REQUESTS, slug: 'too-many-requests' };
    case 'DATABASE_UNAVAILABLE':
    case 'DATABASE_TIMEOUT':
      return { status: HttpStatus.SERVICE_UNAVAILABLE, slug: 'service-unavailable' };
    case 'DEPENDENCY_UNAVAILABLE':
      return { status: HttpStatus.SERVICE_UNAVAILABLE, slug: 'dependency-unavailable' };
  }
}

/** Headers that go with a problem: how to authenticate after a 401, when to retry after a 429. */
export function headersFor(error: unknown, problem: Problem): Record<string, string> {
  const headers: Record<string, string> = {};
  // Every 401 carries a challenge (RFC 9110 §15.5.2).
  if (problem.status === 401)
    headers['www-authenticate'] = (error instanceof DomainError && error.challenge) || 'Bearer';
  // A 403 says which scope was missing when it is a token's (RFC 6750 §3.1, insufficient_scope).
  else if (problem.status === 403 && error instanceof DomainError && error.challenge)
    headers['www-authenticate'] = error.challenge;
  if (error instanceof DomainError && error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  }
  return headers;
}

/**
 * Node's socket errors, PostgreSQL's connection-class codes (08xxx, 57P0x: shutting down), and the
 * messages of pg and of ioredis (Redis, with REDIS_URL) when their server is away.
 */
const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|08\w{3}|57P0[123])$/;
const LOST =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Stream isn't writeable|Connection is closed|Command timed out|max retries per request/;

/** A store (PostgreSQL, or Redis) that cannot be reached: the request can succeed later, so it is a 503, not a 500. */
export class DatabaseUnavailableError extends DomainError {
  readonly code = 'DATABASE_UNAVAILABLE';
  override readonly retryAfterSeconds = 5;
  constructor() {
    super('A store this API depends on cannot be reached right now: try again in a few seconds.');
  }

  static matches(error: unknown): boolean {
    const candidates = [error, (error as { driverError?: unknown })?.driverError];
    // Duck-typed: socket errors may come from another realm (Jest's VM), where instanceof fails.
    return candidates.some((e) => {
      if (typeof e !== 'object' || e === null) return false;
      const { code, message } = e as { code?: unknown; message?: unknown };
      return UNREACHABLE.test(String(code ?? '')) || LOST.test(String(message ?? ''));
    });
  }
}

/**
 * PostgreSQL cancelled the statement (statement_timeout: 57014; a lock it could not get: 55P03), or
 * pg gave up reading its answer (query_timeout): busy, not broken. The request may succeed later,
 * so it is a 503 with Retry-After, and it came fast (DATABASE_STATEMENT_TIMEOUT_MS), not a hang.
 */
export class DatabaseTimeoutError extends DomainError {
  readonly code = 'DATABASE_TIMEOUT';
  override readonly retryAfterSeconds = 2;
  constructor() {
    super('The database did not answer in time: try again in a few seconds.');
  }

  static matches(error: unknown): boolean {
    const candidates = [error, (error as { driverError?: unknown })?.driverError];
    return candidates.some((e) => {
      if (typeof e !== 'object' || e === null) return false;
      const { code, message } = e as { code?: unknown; message?: unknown };
      return /^(57014|55P03)$/.test(String(code ?? '')) || /^Query read timeout$/.test(String(message ?? ''));
    });
  }
}

/** What a thrown error means to a client: driver errors of an unreachable or busy database become domain errors. */
export function interpret(error: unknown): unknown {
  if (DatabaseUnavailableError.matches(error)) return new DatabaseUnavailableError();
  if (DatabaseTimeoutError.matches(error)) return new DatabaseTimeoutError();
  return error;
}

/** Turns anything thrown while serving a request into the problem to send. */
export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) {
    const { status, slug } = statusOf(error.code);
    return makeProblem(status, slug, error.message, error.errors);
  }
  if (error instanceof RequestValidationError) {
    return makeProblem(400, 'validation-failed', error.message, error.errors);
  }
  // Nest's own errors (unknown route, throttling) and Fastify's body errors (415, 413, malformed
  // JSON), which Nest's Fastify adapter hands over as HttpExceptions with their status.
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return makeProblem(status, undefined, status === 404 ? 'No resource at this address.' : detailOf(error));
  }
  return makeProblem(500, undefined, 'The server could not handle this request. It has been logged.');
}

function detailOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
}
