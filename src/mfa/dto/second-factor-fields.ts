import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, Matches, ValidateBy, ValidateIf } from 'class-validator';
import { CurrentPasswordField } from '../../users/dto/user-fields.js';

const CODE = /^[0-9]{6}$/;
/** Any case, with or without the dash or spaces (recovery-codes.ts normalises). */
export const RECOVERY_CODE_PATTERN = /^[A-Za-z0-9 -]{10,16}$/;

/** A 6-digit code of the authenticator app. */
export const TotpCodeField = ({ required = true } = {}) =>
  applyDecorators(
    ApiProperty({
      description: 'The 6-digit code the authenticator app shows now (the previous or next one works too).',
      pattern: CODE.source,
      minLength: 6,
      maxLength: 6,
      example: '492039',
      required,
    }),
    IsString(),
    Matches(CODE, { message: '$property must be the 6 digits the authenticator app shows' }),
  );

/** Refuses the member when `other` is sent too: a request proves one factor, not two at once. */
const NotWith = (other: string) =>
  ValidateBy({
    name: 'notWith',
    validator: {
      validate: (_, args) => (args!.object as Record<string, unknown>)[other] === undefined,
      defaultMessage: () => `send either $property or ${other}, not both`,
    },
  });

/**
 * `code` or `recoveryCode`, exactly one: a body with neither is told `code` is missing; one with
 * both, that they do not go together.
 */
export class SecondFactorProofDto {
  @ValidateIf((body: SecondFactorProofDto) => body.code !== undefined || body.recoveryCode === undefined)
  @IsDefined({ message: 'code or recoveryCode is required' })
  @TotpCodeField({ required: false })
  code?: string;

  @ApiProperty({
    description:
      'Instead of `code`: one of the recovery codes, each usable once. Any case; the dash is optional.',
    pattern: RECOVERY_CODE_PATTERN.source,
    minLength: 10,
    maxLength: 16,
    example: 'K7QMX-4TZP9',
    required: false,
  })
  @ValidateIf((body: SecondFactorProofDto) => body.recoveryCode !== undefined)
  @IsString()
  @Matches(RECOVERY_CODE_PATTERN, { message: '$property must be a recovery code (such as K7QMX-4TZP9)' })
  @NotWith('code')
  recoveryCode?: string;
}

/** What a signed-in change of a factor asks for: the password, and a code or a recovery code. */
export class PasswordAndSecondFactorDto extends SecondFactorProofDto {
  @CurrentPasswordField()
  currentPassword: string;
}

export class CurrentPasswordDto {
  @CurrentPasswordField()
  currentPassword: string;
}

export class ConfirmTotpDto {
  @TotpCodeField()
  code: string;
}

/** The proof, as the service takes it: exactly one of the two (the DTO's validation saw to that). */
export const proofOf = (body: SecondFactorProofDto) =>
  body.code !== undefined ? { code: body.code } : { recoveryCode: body.recoveryCode! };
