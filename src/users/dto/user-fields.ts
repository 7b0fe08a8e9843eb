import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy.js';
import { setting } from '../../common/swagger/documented-settings.js';

/**
 * The validation and the documentation of each user field, declared once, so that the OpenAPI
 * document cannot drift from what the API accepts.
 */
export const EMAIL_MAX_LENGTH = 254;
export const NAME_MAX_LENGTH = 100;

/** Trimmed and NFC-normalised, the same way at sign-up, login and reset; case is kept but ignored. */
export function normalizeEmail(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().normalize('NFC') : value;
}

export const EmailField = () =>
  applyDecorators(
    ApiProperty({
      description: 'Compared without regard to case; surrounding spaces are ignored.',
      format: 'idn-email',
      maxLength: EMAIL_MAX_LENGTH,
      example: 'ada@example.com',
    }),
    Transform(({ value }) => normalizeEmail(value)),
    IsEmail({}, { message: '$property must be an email address' }),
    MaxLength(EMAIL_MAX_LENGTH),
  );

export const NameField = ({ required = true } = {}) =>
  applyDecorators(
    ApiProperty({
      description: 'Display name.',
      minLength: 1,
      maxLength: NAME_MAX_LENGTH,
      example: 'Ada Lovelace',
      required,
    }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim().normalize('NFC') : value)),
    IsString(),
    Length(1, NAME_MAX_LENGTH),
  );

export const PasswordField = (description: string) =>
  applyDecorators(
    ApiProperty({
      description: `${description} At least ${setting('passwordMinLength')} characters (AUTH_PASSWORD_MIN_LENGTH), any characters, not a common password, not the email.`,
      format: 'password',
      // The configured minimum replaces this one in the document (documented-settings.ts).
      minLength: 1,
      maxLength: PASSWORD_MAX_LENGTH,
      example: 'correct horse battery staple',
    }),
    IsString(),
    MaxLength(PASSWORD_MAX_LENGTH),
  );

/** A password the user already has (login, change-password): only its type and size are checked here. */
export const CurrentPasswordField = () =>
  applyDecorators(
    ApiProperty({
      format: 'password',
      maxLength: PASSWORD_MAX_LENGTH,
      example: 'correct horse battery staple',
    }),
    IsString(),
    MaxLength(PASSWORD_MAX_LENGTH),
  );
