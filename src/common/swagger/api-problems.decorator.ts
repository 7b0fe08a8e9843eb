import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ProblemDetailsDto } from './problem-details.dto.js';

export const RETRY_AFTER = { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 };

const WHEN: Record<number, string> = {
  400: 'The request is not valid: see `errors` for each invalid input.',
  401: 'No valid access token: sign in again.',
  403: 'Your role may not use this operation.',
  404: 'No such resource, or not one you may see.',
  409: 'Conflicts with the current state.',
  413: 'The body is larger than the server accepts.',
  415: 'The body is not `application/json`.',
  429: 'Too many requests: retry after the `Retry-After` seconds.',
  500: 'Something failed on the server; quote the `requestId` when reporting it.',
  503: 'Not available right now (the database cannot be reached, or the server is shutting down): retry after `Retry-After` seconds.',
};

const HEADERS: Record<number, Record<string, object>> = {
  401: {
    'WWW-Authenticate': {
      description:
        'The challenge: `Bearer`, with `error="invalid_token"` when the request sent a token that is not valid (RFC 6750).',
      schema: { type: 'string', maxLength: 100, example: 'Bearer error="invalid_token"' },
    },
  },
  429: { 'Retry-After': { description: 'Seconds to wait.', schema: RETRY_AFTER } },
  503: { 'Retry-After': { description: 'Seconds to wait.', schema: RETRY_AFTER } },
};

/** What a problem status means for one operation, where the general meaning (WHEN) does not say it. */
export interface ProblemMeaning {
  status: number;
  description: string;
}

/** The response object of a problem status, as `application/problem+json` with an example. */
export function problemResponse(status: number, description?: string) {
  return {
    description: description ?? WHEN[status] ?? STATUS_CODES[status] ?? 'Error',
    ...(HEADERS[status] ? { headers: HEADERS[status] } : {}),
    content: {
      'application/problem+json': {
        schema: { $ref: getSchemaPath(ProblemDetailsDto) },
        example: {
          type: status === 400 ? '/problems/validation-failed' : 'about:blank',
          title: status === 400 ? 'Validation failed' : STATUS_CODES[status],
          status,
          detail: WHEN[status] ?? STATUS_CODES[status],
          instance: '/api/v1/users',
          requestId: '2b1f0c7e-9d7e-4a55-8a8e-6f0d2b8f4c1a',
          ...(status === 400
            ? { errors: [{ pointer: '#/email', detail: 'email must be an email address' }] }
            : {}),
        },
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
        : ApiResponse({ status: s.status, ...problemResponse(s.status, s.description) }),
    ),
  );
}

/** The 403 of a sign-in path that an admin's suspension closes. */
export const SUSPENDED: ProblemMeaning = {
  status: 403,
  description:
    'The account is suspended (`/problems/account-suspended`): told only to someone who proved the password or holds a live link.',
};

/** The 409 of a change that would leave no active admin. */
export const LAST_ADMIN: ProblemMeaning = {
  status: 409,
  description: 'This is the only active admin (`/problems/last-admin`): make another admin first.',
};
