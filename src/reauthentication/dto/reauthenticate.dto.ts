import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AuthenticationCredentialDto } from '../../mfa/dto/webauthn-credential.dto.js';
import { RECOVERY_CODE_PATTERN, TotpCodeField } from '../../mfa/dto/second-factor-fields.js';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy.js';

const PROOFS = ['currentPassword', 'code', 'recoveryCode', 'passkey'] as const;

/** Refuses the member when another proof is sent too: a reauthentication proves one thing. */
const Alone = () =>
  ValidateBy({
    name: 'alone',
    validator: {
      validate: (_, args) =>
        PROOFS.filter((name) => (args!.object as Record<string, unknown>)[name] !== undefined).length <= 1,
      defaultMessage: () => 'send one of currentPassword, code, recoveryCode or passkey, not several',
    },
  });

/** Exactly one proof: the password, a code of the authenticator app, a recovery code, or a passkey. */
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
      body.currentPassword !== undefined ||
      (body.code === undefined && body.recoveryCode === undefined && body.passkey === undefined),
  )
  @IsDefined({ message: 'currentPassword, code, recoveryCode or passkey is required' })
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

  @ApiProperty({
    type: AuthenticationCredentialDto,
    required: false,
    description:
      'What `navigator.credentials.get` returned for a challenge of `POST /auth/passkeys/authentication/options`, as JSON: a passkey of this account.',
  })
  @ValidateIf((body: ReauthenticateDto) => body.passkey !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticationCredentialDto)
  @Alone()
  passkey?: AuthenticationCredentialDto;
}
