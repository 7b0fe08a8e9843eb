import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength, ValidateBy } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy.js';
import { setting } from '../../common/swagger/documented-settings.js';
import { EMAIL_MAX_LENGTH, ONE_LINE_TEXT } from '../../common/http/text-fields.js';

/**
 * The validation and the documentation of each user field, declared once, so that the OpenAPI
 * document cannot drift from what the API accepts.
 */
export const NAME_MAX_LENGTH = 100;

/** Trimmed and NFC-normalised, the same way at sign-up, login and reset; case is kept but ignored. */
export function normalizeEmail(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().normalize('NFC') : value;
}

/**
 * Characters that show nothing or reorder what is shown (Unicode's Cc, Cf, Cs, Zl and Zp: controls,
 * zero-width spaces, direction overrides such as U+202E, lone surrogates, line separators): in an
 * address they make a second account look like the first; in a name they disguise what an admin reads.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
/** The joiners that Persian, the Indic scripts and emoji sequences need, between two of what they join. */
const JOINER_IN_WORD =
  /(?<=[\p{L}\p{M}\p{Extended_Pictographic}])[\u200c\u200d](?=[\p{L}\p{M}\p{Extended_Pictographic}])/gu;

export const hasInvisibleCharacters = (value: string, { joinersInWords = false } = {}) =>
  INVISIBLE.test(joinersInWords ? value.replace(JOINER_IN_WORD, '') : value);

export const NoInvisibleCharacters = (options: { joinersInWords?: boolean } = {}) =>
  ValidateBy({
    name: 'noInvisibleCharacters',
    validator: {
      validate: (value) => typeof value !== 'string' || !hasInvisibleCharacters(value, options),
      defaultMessage: () =>
        '$property must not contain control, format or invisible characters (such as U+200B or U+202E)',
    },
  });

const EMAIL_DESCRIPTION = 'Compared without regard to case; surrounding spaces are ignored.';
const NEW_EMAIL_RULES =
  ' Control and invisible characters are refused, and so is a part that mixes scripts (AUTH_EMAIL_RESTRICTION_LEVEL).';

/**
 * An address. One that will name an account (`isNew`) must also be free of invisible characters;
 * where an address is only looked up (login, reset), accounts made before a rule was added still work.
 */
export const EmailField = ({ isNew = false } = {}) =>
  applyDecorators(
    ApiProperty({
      description: isNew ? EMAIL_DESCRIPTION + NEW_EMAIL_RULES : EMAIL_DESCRIPTION,
      format: 'idn-email',
      maxLength: EMAIL_MAX_LENGTH,
      example: 'ada@example.com',
    }),
    Transform(({ value }) => normalizeEmail(value)),
    IsEmail({}, { message: '$property must be an email address' }),
    MaxLength(EMAIL_MAX_LENGTH),
    ...(isNew ? [NoInvisibleCharacters()] : []),
  );

export const NameField = ({ required = true } = {}) =>
  applyDecorators(
    ApiProperty({
      description:
        'Display name. Control and invisible characters are refused, but for the joiners (U+200C, U+200D) inside a word or an emoji sequence.',
      minLength: 1,
      maxLength: NAME_MAX_LENGTH,
      pattern: ONE_LINE_TEXT,
      example: 'Ada Lovelace',
      required,
    }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim().normalize('NFC') : value)),
    IsString(),
    Length(1, NAME_MAX_LENGTH),
    NoInvisibleCharacters({ joinersInWords: true }),
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
