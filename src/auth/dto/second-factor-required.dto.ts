import { ApiProperty } from '@nestjs/swagger';
import { SECOND_FACTOR_METHODS, type SecondFactorMethod } from '../entities/session.entity.js';
import { durationInWords } from '../../config/environment.js';
import { MFA_CHALLENGE_MAX_FAILURES, MFA_CHALLENGE_TTL_SECONDS } from '../mfa-challenges.js';

/** A login's answer for an account with a second factor: the password was right, and no tokens yet. */
export class SecondFactorRequiredDto {
  @ApiProperty({ enum: [true], example: true })
  mfaRequired: true;

  @ApiProperty({
    description: `Send it to \`/auth/login/mfa\` with a code. Opaque, single use, valid ${durationInWords(MFA_CHALLENGE_TTL_SECONDS)}; ${MFA_CHALLENGE_MAX_FAILURES} wrong codes spend it.`,
    maxLength: 200,
    pattern: '^[A-Za-z0-9_-]+$',
    example: 'mF4tQk2yQv7sXbN3dP8wR1zL6aH0cJ5eG9uYiTo2KsM',
  })
  mfaToken: string;

  @ApiProperty({
    enum: SECOND_FACTOR_METHODS,
    enumName: 'SecondFactorMethod',
    isArray: true,
    maxItems: SECOND_FACTOR_METHODS.length,
    description:
      '`totp` and `recovery-code`: `/auth/login/mfa`; `passkey`: sign in with a passkey instead (`/auth/passkeys/authentication`).',
    example: ['totp', 'recovery-code'],
  })
  methods: SecondFactorMethod[];
}
