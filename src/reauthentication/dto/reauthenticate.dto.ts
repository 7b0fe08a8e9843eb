import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, Matches, MaxLength, ValidateBy, ValidateIf } from 'class-validator';
import { RECOVERY_CODE_PATTERN, TotpCodeField } from '../../mfa/dto/second-factor-fields.js';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy.js';

const PROOFS = ['currentPassword', 'code', 'recoveryCode'] as const;

/** Refuses the member when another proof is sent too: a reauthentication proves one thing. */
const Alone = () =>
  ValidateBy({
    name: 'alone',
    validator: {
      validate: (_, args) =>
        PROOFS.filter((name) => (args!.object as Record<string, unknown>)[name] !== undefined).length <= 1,
      defaultMessage: () => 'send one of currentPassword, code or recoveryCode, not several',
    },
  });

/** Exactly one proof: the password, a code of the authenticator app, or a recovery code. */
export class ReauthenticateDto {
  @ApiProperty({
    format: 'password',
    maxLength: PASSWORD_MAX_LENGTH,
    example: 'correct horse battery staple',
    required: false,
    description: 'The account’s password.',
  })
  @ValidateIf(
    (body: ReauthenticateDto) =>
      body.currentPassword !== undefined || (body.code === undefined && body.recoveryCode === undefined),
  )
  @IsDefined({ message: 'currentPassword, code or recoveryCode is required' })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  @Alone()
  currentPassword?: string;

  @ValidateIf((body: ReauthenticateDto) => body.code !== undefined)
  @TotpCodeField({ required: false })
  @Alone()
  code?: string;

  @ApiProperty({
    description: 'One of the recovery codes (spent by this). Any case; the dash is optional.',
    pattern: RECOVERY_CODE_PATTERN.source,
    minLength: 10,
    maxLength: 16,
    example: 'K7QMX-4TZP9',
    required: false,
  })
  @ValidateIf((body: ReauthenticateDto) => body.recoveryCode !== undefined)
  @IsString()
  @Matches(RECOVERY_CODE_PATTERN, { message: '$property must be a recovery code (such as K7QMX-4TZP9)' })
  @Alone()
  recoveryCode?: string;
}
