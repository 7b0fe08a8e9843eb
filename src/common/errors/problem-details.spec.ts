import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { EmailTakenError } from '../../users/users.errors.js';
import { InvalidCursorError } from '../pagination/keyset-cursor.js';
import {
  DomainError,
  FIELD_ERROR_LIMITS,
  MAX_FIELD_ERRORS,
  RequestValidationError,
  type DomainErrorCode,
} from './domain-error.js';
import {
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  headersFor,
  interpret,
  makeProblem,
  toProblem,
} from './problem-details.js';

/** A domain error of any code, as a service would throw it. */
function errorOf(code: DomainErrorCode, extra: { retryAfterSeconds?: number; challenge?: string } = {}) {
  return new (class extends DomainError {
    readonly code = code;
    override readonly retryAfterSeconds = extra.retryAfterSeconds;
    override readonly challenge = extra.challenge;
  })(`a ${code} happened`);
}

/** The statuses and problem types of API.md, code by code. */
const CONTRACT: [DomainErrorCode, number, string][] = [
  ['EMAIL_TAKEN', 409, 'email-taken'],
  ['LAST_ADMIN', 409, 'last-admin'],
  ['USER_SUSPENDED', 409, 'user-suspended'],
  ['ACCOUNT_SUSPENDED', 403, 'account-suspended'],
  ['NOT_FOUND', 404, 'not-found'],
  ['PRECONDITION_FAILED', 412, 'precondition-failed'],
  ['IDEMPOTENCY_KEY_REUSED', 422, 'idempotency-key-reused'],
  ['IDEMPOTENCY_KEY_IN_USE', 409, 'idempotency-key-in-use'],
  ['TOTP_ALREADY_ENABLED', 409, 'totp-already-enabled'],
  ['TOTP_NOT_SET_UP', 409, 'totp-not-set-up'],
  ['PASSKEY_LIMIT', 409, 'passkey-limit'],
  ['INVALID_MFA_TOKEN', 401, 'invalid-mfa-token'],
  ['INVALID_SECOND_FACTOR', 401, 'invalid-second-factor'],
  ['INVALID_PASSKEY', 401, 'invalid-passkey'],
  ['INVALID_CURSOR', 400, 'validation-failed'],
  ['WRONG_SECOND_FACTOR', 400, 'validation-failed'],
  ['PASSKEY_REJECTED', 400, 'validation-failed'],
  ['EMAIL_REJECTED', 400, 'validation-failed'],
  ['SAME_EMAIL', 400, 'validation-failed'],
  ['PASSWORD_REJECTED', 400, 'validation-failed'],
  ['WRONG_CURRENT_PASSWORD', 400, 'validation-failed'],
  ['INVALID_ACCOUNT_TOKEN', 400, 'validation-failed'],
  ['INVALID_CREDENTIALS', 401, 'invalid-credentials'],
  ['INVALID_REFRESH_TOKEN', 401, 'invalid-refresh-token'],
  ['UNAUTHENTICATED', 401, 'unauthenticated'],
  ['FORBIDDEN', 403, 'forbidden'],
  ['INSUFFICIENT_SCOPE', 403, 'insufficient-scope'],
  ['API_KEY_LIMIT', 409, 'api-key-limit'],
  ['SLUG_TAKEN', 409, 'slug-taken'],
  ['LAST_OWNER', 409, 'last-owner'],
  ['WEBHOOK_URL_REJECTED', 400, 'validation-failed'],
  ['WEBHOOK_LIMIT', 409, 'webhook-limit'],
  ['DELIVERY_UNSETTLED', 409, 'delivery-unsettled'],
  ['ALREADY_MEMBER', 409, 'already-member'],
  ['INVALID_INVITATION', 400, 'invalid-invitation'],
  ['SLUG_NOT_CONFIRMED', 400, 'validation-failed'],
  ['TOO_MANY_INVITATIONS', 429, 'too-many-requests'],
  ['TOO_MANY_KEY_REQUESTS', 429, 'too-many-requests'],
  ['API_KEY_EXPIRY_REJECTED', 400, 'validation-failed'],
  ['EMAIL_NOT_VERIFIED', 403, 'email-not-verified'],
  ['REAUTHENTICATION_REQUIRED', 403, 'reauthentication-required'],
  ['TOO_MANY_ATTEMPTS', 429, 'too-many-requests'],
  ['TOO_MANY_EMAILS', 429, 'too-many-requests'],
  ['DATABASE_UNAVAILABLE', 503, 'service-unavailable'],
  ['DATABASE_TIMEOUT', 503, 'service-unavailable'],
  ['DEPENDENCY_UNAVAILABLE', 503, 'dependency-unavailable'],
];

describe('toProblem', () => {
  it.each(CONTRACT)(
    'maps %s to %i /problems/%s, titled from its type, with the message as detail',
    (code, status, slug) => {
      const title = slug[0].toUpperCase() + slug.slice(1).replaceAll('-', ' ');
      expect(toProblem(errorOf(code))).toEqual({
        type: `/problems/${slug}`,
        title,
        status,
        detail: `a ${code} happened`,
      });
    },
  );

  it('keeps the inputs a domain error blames', () => {
    expect(toProblem(new EmailTakenError())).toMatchObject({ status: 409, type: '/problems/email-taken' });
    expect(toProblem(new InvalidCursorError())).toMatchObject({
      status: 400,
      errors: [{ parameter: 'cursor', detail: expect.any(String) }],
    });
  });

  it('keeps validation errors, at most a hundred, each cut to its bound', () => {
    const errors = [{ pointer: '#/email', detail: 'bad' }];
    expect(toProblem(new RequestValidationError(errors))).toEqual({
      type: '/problems/validation-failed',
      title: 'Validation failed',
      status: 400,
      detail: 'The request is not valid.',
      errors,
    });
    const many = Array.from({ length: 150 }, (_, i) => ({ parameter: `p${i}`, detail: 'bad' }));
    expect(new RequestValidationError(many).errors).toHaveLength(MAX_FIELD_ERRORS);
    const [long] = new RequestValidationError([
      { pointer: `#/${'a'.repeat(400)}`, detail: 'd'.repeat(600) },
      { parameter: 'q'.repeat(200), detail: 'x' },
    ]).errors as { pointer: string; detail: string }[];
    expect(long.pointer).toHaveLength(FIELD_ERROR_LIMITS.pointer);
    expect(long.pointer.endsWith('…')).toBe(true);
    expect(long.detail).toHaveLength(FIELD_ERROR_LIMITS.detail);
    const [, parameter] = new RequestValidationError([
      { pointer: '#/a', detail: 'x' },
      { parameter: 'q'.repeat(200), detail: 'x' },
    ]).errors as { parameter: string }[];
    expect(parameter.parameter).toHaveLength(FIELD_ERROR_LIMITS.parameter);
    // Within its bound, a value is kept as it came.
    const exact = 'b'.repeat(FIELD_ERROR_LIMITS.detail);
    expect(new RequestValidationError([{ pointer: '#/a', detail: exact }]).errors[0].detail).toBe(exact);
  });

  it('maps HTTP exceptions by their status, with their message, and a 404 in words of its own', () => {
    expect(toProblem(new NotFoundException('secret route'))).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No resource at this address.',
    });
    expect(toProblem(new BadRequestException('nope'))).toMatchObject({ status: 400, detail: 'nope' });
    expect(toProblem(new BadRequestException(['one', 'two']))).toMatchObject({ detail: 'one; two' });
    expect(toProblem(new HttpException('plain text', 413))).toMatchObject({
      status: 413,
      detail: 'plain text',
    });
    expect(toProblem(new HttpException({ other: 1 }, 415))).toMatchObject({
      status: 415,
      title: 'Unsupported Media Type',
      detail: 'Http Exception',
    });
    expect(makeProblem(599, undefined, 'x').title).toBe('Error');
  });

  it('says nothing about the internals of an unexpected error', () => {
    const problem = toProblem(new Error('relation "users" does not exist at /src/secret.ts:1'));
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server could not handle this request. It has been logged.',
    });
  });
});

describe('headersFor', () => {
  it('challenges every 401, with the error’s own challenge when it has one', () => {
    const plain = errorOf('UNAUTHENTICATED');
    expect(headersFor(plain, toProblem(plain))).toEqual({ 'www-authenticate': 'Bearer' });
    const own = errorOf('UNAUTHENTICATED', { challenge: 'Bearer error="invalid_token"' });
    expect(headersFor(own, toProblem(own))).toEqual({ 'www-authenticate': 'Bearer error="invalid_token"' });
    expect(headersFor(new Error('x'), makeProblem(401, undefined, 'x'))).toEqual({
      'www-authenticate': 'Bearer',
    });
  });

  it('names the missing scope of a 403 that has a challenge, and adds none to other 403s', () => {
    const scope = errorOf('INSUFFICIENT_SCOPE', { challenge: 'Bearer error="insufficient_scope"' });
    expect(headersFor(scope, toProblem(scope))).toEqual({
      'www-authenticate': 'Bearer error="insufficient_scope"',
    });
    const role = errorOf('FORBIDDEN');
    // Strict: a header set to undefined would be a header sent empty.
    expect(headersFor(role, toProblem(role))).toStrictEqual({});
    const limited = errorOf('TOO_MANY_KEY_REQUESTS', { challenge: 'Bearer', retryAfterSeconds: 3 });
    expect(headersFor(limited, toProblem(limited))).toStrictEqual({ 'retry-after': '3' });
  });

  it('says when to retry in whole seconds, at least one', () => {
    for (const [seconds, header] of [
      [0, '1'],
      [0.2, '1'],
      [1.5, '2'],
      [60, '60'],
    ] as const) {
      const error = errorOf('TOO_MANY_ATTEMPTS', { retryAfterSeconds: seconds });
      expect(headersFor(error, toProblem(error))).toEqual({ 'retry-after': header });
    }
    const none = errorOf('FORBIDDEN');
    expect(headersFor(none, toProblem(none))).toEqual({});
  });
});

describe('interpret', () => {
  it.each([
    ['a refused connection', { code: 'ECONNREFUSED' }],
    ['a reset one', { code: 'ECONNRESET' }],
    ['a connection-class SQLSTATE', { code: '08006' }],
    ['a server shutting down', { code: '57P01' }],
    ['a wrapped driver error', { driverError: { code: 'ETIMEDOUT' } }],
    ['pg losing its connection', new Error('Connection terminated unexpectedly')],
    ['ioredis giving up', new Error('Reached the max retries per request limit')],
  ])('makes %s a 503 to retry in five seconds', (_case, error) => {
    const interpreted = interpret(error);
    expect(interpreted).toBeInstanceOf(DatabaseUnavailableError);
    expect(headersFor(interpreted, toProblem(interpreted))).toEqual({ 'retry-after': '5' });
  });

  it.each([
    ['a statement timeout', { code: '57014' }],
    ['a lock not granted', { driverError: { code: '55P03' } }],
    ['pg giving up reading', new Error('Query read timeout')],
  ])('makes %s a 503 to retry in two seconds', (_case, error) => {
    const interpreted = interpret(error);
    expect(interpreted).toBeInstanceOf(DatabaseTimeoutError);
    expect(headersFor(interpreted, toProblem(interpreted))).toEqual({ 'retry-after': '2' });
  });

  it.each([
    ['another SQLSTATE', { code: '23505' }],
    ['a code that only contains one of them', { code: 'X57014' }],
    ['a message that only contains one', new Error('not a Query read timeout')],
    ['nothing at all', null],
    ['a string', 'ECONNREFUSED'],
  ])('leaves %s as it is', (_case, error) => {
    expect(interpret(error)).toBe(error);
  });
});
