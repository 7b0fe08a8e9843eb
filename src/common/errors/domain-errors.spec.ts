import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from '../../idempotency/idempotency.errors.js';
import {
  InvalidAccountTokenError,
  TooManyEmailsError,
  UserSuspendedError,
} from '../../account-emails/account-emails.errors.js';
import {
  AccountSuspendedError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  SessionNotFoundError,
  TooManyAttemptsError,
  WrongCurrentPasswordError,
} from '../../auth/auth.errors.js';
import {
  ForbiddenError,
  ReauthenticationRequiredError,
  UnauthenticatedError,
} from '../../access/access.errors.js';
import {
  EmailNotVerifiedError,
  InvalidMfaTokenError,
  InvalidPasskeyError,
  InvalidSecondFactorError,
  PasskeyLimitError,
  PasskeyNotFoundError,
  PasskeyRejectedError,
  TotpAlreadyEnabledError,
  TotpNotSetUpError,
  WrongSecondFactorError,
} from '../../mfa/mfa.errors.js';
import { PasswordRejectedError } from '../../passwords/password-policy.js';
import { EmailRejectedError } from '../../users/email-policy.js';
import {
  EmailTakenError,
  LastAdminError,
  SameEmailError,
  UserChangedError,
  UserNotFoundError,
} from '../../users/users.errors.js';
import { InvalidCursorError } from '../pagination/keyset-cursor.js';
import type { DomainError } from './domain-error.js';
import { headersFor, toProblem } from './problem-details.js';

/**
 * Every error a service throws, as the client receives it (each made inside its test, so that a
 * mutation tool sees which test runs its class): the status and problem type of API.md,
 * the inputs it blames, and a detail that says what happened in a sentence. The mapping of a code
 * is problem-details.spec.ts's subject; this one holds each error class to the code it must carry.
 */
const ERRORS: [() => DomainError, number, string, object[]?][] = [
  [() => new InvalidCredentialsError(), 401, 'invalid-credentials'],
  [() => new InvalidRefreshTokenError(), 401, 'invalid-refresh-token'],
  [() => new UnauthenticatedError(), 401, 'unauthenticated'],
  [() => new ForbiddenError(), 403, 'forbidden'],
  [() => new ReauthenticationRequiredError(300), 403, 'reauthentication-required'],
  [() => new TooManyAttemptsError(60), 429, 'too-many-requests'],
  [() => new WrongCurrentPasswordError(), 400, 'validation-failed', [{ pointer: '#/currentPassword' }]],
  [() => new SessionNotFoundError(), 404, 'not-found'],
  [() => new AccountSuspendedError(), 403, 'account-suspended'],
  [() => new InvalidAccountTokenError(), 400, 'validation-failed', [{ pointer: '#/token' }]],
  [() => new TooManyEmailsError(120), 429, 'too-many-requests'],
  [() => new UserSuspendedError(), 409, 'user-suspended'],
  [() => new TotpAlreadyEnabledError(), 409, 'totp-already-enabled'],
  [() => new TotpNotSetUpError(false), 409, 'totp-not-set-up'],
  [() => new TotpNotSetUpError(true), 409, 'totp-not-set-up'],
  [() => new WrongSecondFactorError('code'), 400, 'validation-failed', [{ pointer: '#/code' }]],
  [
    () => new WrongSecondFactorError('recoveryCode'),
    400,
    'validation-failed',
    [{ pointer: '#/recoveryCode' }],
  ],
  [() => new WrongSecondFactorError('passkey'), 400, 'validation-failed', [{ pointer: '#/passkey' }]],
  [() => new InvalidMfaTokenError(), 401, 'invalid-mfa-token'],
  [() => new InvalidSecondFactorError(), 401, 'invalid-second-factor'],
  [() => new PasskeyLimitError(10), 409, 'passkey-limit'],
  [
    () => new PasskeyRejectedError('no user verification'),
    400,
    'validation-failed',
    [{ pointer: '#/response' }],
  ],
  [() => new InvalidPasskeyError(), 401, 'invalid-passkey'],
  [() => new PasskeyNotFoundError(), 404, 'not-found'],
  [() => new EmailNotVerifiedError(), 403, 'email-not-verified'],
  [
    () => new PasswordRejectedError('newPassword', 'it is too short'),
    400,
    'validation-failed',
    [{ pointer: '#/newPassword' }],
  ],
  [
    () => new EmailRejectedError('email', 'it mixes scripts'),
    400,
    'validation-failed',
    [{ pointer: '#/email' }],
  ],
  [() => new EmailTakenError(), 409, 'email-taken'],
  [() => new SameEmailError(), 400, 'validation-failed', [{ pointer: '#/newEmail' }]],
  [() => new UserNotFoundError(), 404, 'not-found'],
  [() => new LastAdminError(), 409, 'last-admin'],
  [() => new UserChangedError(), 412, 'precondition-failed'],
  [() => new IdempotencyKeyReusedError(), 422, 'idempotency-key-reused'],
  [() => new IdempotencyKeyInUseError(), 409, 'idempotency-key-in-use'],
  [() => new InvalidCursorError(), 400, 'validation-failed', [{ parameter: 'cursor' }]],
];

/** A sentence a person can act on: capitalised, more than a few words, no trailing blank. */
const SENTENCE = /^[A-Z][^\n]{15,}\S$/;

describe('every domain error', () => {
  const rows = ERRORS.map(([make, status, slug, blamed]) => ({
    name: make().constructor.name,
    make,
    status,
    slug,
    blamed,
  }));
  it.each(rows)(
    '$name answers $status /problems/$slug with a detail that says what happened',
    ({ make, status, slug, blamed }) => {
      const problem = toProblem(make());
      expect(problem).toMatchObject({ status, type: `/problems/${slug}` });
      expect(problem.detail).toMatch(SENTENCE);
      const errors = (problem as { errors?: { detail: string }[] }).errors;
      expect(errors?.map(({ detail: _detail, ...where }) => where)).toEqual(blamed);
      for (const { detail } of errors ?? []) expect(detail).toMatch(/^[a-z].{8,}/);
    },
  );

  it('tells each variant apart: the authenticator app set up or not, which code was wrong', () => {
    const details = (errors: DomainError[]) =>
      new Set(errors.map((e) => JSON.stringify([e.message, e.errors]))).size;
    expect(details([new TotpNotSetUpError(false), new TotpNotSetUpError(true)])).toBe(2);
    expect(new TotpNotSetUpError(false).message).toContain('/auth/mfa/totp/setup');
    const fields = ['code', 'recoveryCode', 'passkey'] as const;
    expect(details(fields.map((field) => new WrongSecondFactorError(field)))).toBe(3);
  });

  it('puts the numbers a client needs in the detail: minutes, limits, reasons', () => {
    expect(new ReauthenticationRequiredError(300).message).toContain('it counts for 5 minutes');
    expect(new PasskeyLimitError(10).message).toContain('at most 10 passkeys');
    expect(new PasskeyRejectedError('no user verification').message).toContain('no user verification');
    expect(new PasswordRejectedError('password', 'too short').message).toContain('The password was not');
    expect(new PasswordRejectedError('newPassword', 'too short').message).toContain('The new password');
  });

  it('says when to retry and how to authenticate in the headers', () => {
    const headers = (error: DomainError) => headersFor(error, toProblem(error));
    expect(headers(new TooManyAttemptsError(60))).toEqual({ 'retry-after': '60' });
    expect(headers(new TooManyEmailsError(120))).toEqual({ 'retry-after': '120' });
    expect(headers(new IdempotencyKeyInUseError())).toEqual({ 'retry-after': '1' });
    expect(headers(new UnauthenticatedError())).toEqual({
      'www-authenticate': 'Bearer error="invalid_token"',
    });
    const unasked = new UnauthenticatedError(undefined, { tokenPresented: false });
    expect(headers(unasked)).toEqual({ 'www-authenticate': 'Bearer' });
  });
});
