import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { makeProblem } from '../errors/problem-details.js';
import { setting } from './documented-settings.js';
import { ProblemDetailsDto } from './problem-details.dto.js';

export const RETRY_AFTER = { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 };

const WHEN: Record<number, string> = {
  400: 'The request is not valid: see `errors` for each invalid input.',
  401: 'No valid access token: sign in again.',
  403: 'Your role may not use this operation.',
  404: 'No such resource, or not one you may see.',
  409: 'Conflicts with the current state.',
  413: `The body is larger than BODY_LIMIT (${setting('bodyLimit')} bytes).`,
  415: 'The body is not `application/json`.',
  429: `Too many requests: over RATE_LIMIT_PER_MINUTE (${setting('rateLimitPerMinute')} a minute per client address); retry after the \`Retry-After\` seconds.`,
  500: 'Something failed on the server; quote the `requestId` when reporting it.',
  503: 'Not available right now (the database cannot be reached, or the server is shutting down): retry after `Retry-After` seconds.',
};

const HEADERS: Record<number, Record<string, object>> = {
  401: {
    'WWW-Authenticate': {
      description:
        'The challenge: `Bearer`, with `error="invalid_token"` when the request sent a token that is not valid (RFC 6750).',
      schema: {
        type: 'string',
        maxLength: 100,
        pattern: '^Bearer( error="invalid_token")?$',
        example: 'Bearer error="invalid_token"',
      },
    },
  },
  429: { 'Retry-After': { description: 'Seconds to wait.', schema: RETRY_AFTER } },
  503: { 'Retry-After': { description: 'Seconds to wait.', schema: RETRY_AFTER } },
};

/** What a problem status means for one operation, where the general meaning (WHEN) does not say it. */
export interface ProblemMeaning {
  status: number;
  description: string;
  /** The slug of its problem type (`/problems/<type>`), when the operation's problem has one. */
  type?: string;
}

/** The problem type a status has when the operation says nothing more specific. */
const TYPES: Record<number, string> = {
  400: 'validation-failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  412: 'precondition-failed',
  503: 'service-unavailable',
};
/** An example's name from a text: `Not Found` → `not-found`. */
export const kebab = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** A named example of a problem: what a client receives, with the meaning as its summary. */
export function problemExample(status: number, summary: string, type?: string) {
  const name = type ?? kebab(STATUS_CODES[status] ?? 'error');
  return {
    [name]: {
      summary,
      value: {
        ...makeProblem(
          status,
          type,
          summary.replace(/ \(`\/problems\/[a-z-]+`\)/, '').replaceAll('`', ''),
          status === 400 ? [{ pointer: '#/email', detail: 'email must be an email address' }] : undefined,
        ),
        instance: '/api/v1/users',
        requestId: '2b1f0c7e-9d7e-4a55-8a8e-6f0d2b8f4c1a',
      },
    },
  };
}

/** The response object of a problem status, as `application/problem+json` with a named example. */
export function problemResponse(status: number, meaning: Partial<ProblemMeaning> = {}) {
  const description = meaning.description ?? WHEN[status] ?? STATUS_CODES[status] ?? 'Error';
  return {
    description,
    ...(HEADERS[status] ? { headers: HEADERS[status] } : {}),
    content: {
      'application/problem+json': {
        schema: { $ref: getSchemaPath(ProblemDetailsDto) },
        examples: problemExample(status, description, meaning.type ?? TYPES[status]),
      },
    },
  };
}

/** Documents error statuses of an operation, each as `application/problem+json`. */
export function ApiProblems(...statuses: (number | ProblemMeaning)[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((s) =>
      typeof s === 'number'
        ? ApiResponse({ status: s, ...problemResponse(s) })
        : ApiResponse({ status: s.status, ...problemResponse(s.status, s) }),
    ),
  );
}

/**
 * The 503 of a route whose attempts must be counted for every instance at once (a sign-in, a
 * password check, a mail sent): with REDIS_URL set and Redis away, it refuses instead of counting
 * in one instance. The database's 503 (`service-unavailable`) stays possible too.
 */
export const COUNTERS_UNAVAILABLE: ProblemMeaning = {
  status: 503,
  type: 'dependency-unavailable',
  description:
    'Redis, which counts this operation’s attempts for every instance (REDIS_URL), cannot be reached, and the operation is refused rather than left uncounted (`/problems/dependency-unavailable`); or the database cannot be reached, or the server is shutting down (`/problems/service-unavailable`). Retry after `Retry-After` seconds.',
};

/** The 403 of a sign-in path that an admin's suspension closes. */
export const SUSPENDED: ProblemMeaning = {
  status: 403,
  type: 'account-suspended',
  description:
    'The account is suspended (`/problems/account-suspended`): told only to someone who proved the password or holds a live link.',
};

/** The 409 of a change that would leave no active admin. */
export const LAST_ADMIN: ProblemMeaning = {
  status: 409,
  type: 'last-admin',
  description: 'This is the only active admin (`/problems/last-admin`): make another admin first.',
};

/** The 409 of a new account whose address another account has. */
export const EMAIL_TAKEN: ProblemMeaning = {
  status: 409,
  type: 'email-taken',
  description: 'An account has this email address already, however it is spelled (`/problems/email-taken`).',
};

/** The 403 of adding a second factor to an address nobody has proved yet. */
export const EMAIL_NOT_VERIFIED: ProblemMeaning = {
  status: 403,
  type: 'email-not-verified',
  description:
    'The account’s email address is not verified (`/problems/email-not-verified`): verify it first (`/auth/verify-email`), so that nobody can guard an address they do not read with a factor of theirs.',
};
