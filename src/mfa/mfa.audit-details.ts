import { ApiPropertyOptional } from '@nestjs/swagger';
import { ONE_LINE_TEXT } from '../common/http/text-fields.js';
import { MAX_PASSKEYS_PER_USER, PASSKEY_NAME_MAX_LENGTH } from './entities/passkey.entity.js';
import { RECOVERY_CODE_COUNT } from './recovery-codes.js';

/**
 * What second-factor changes record beyond their columns (`details`), for the audit log's schema.
 */
export class MfaAuditDetailsDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: RECOVERY_CODE_COUNT,
    description: '`mfa.recovery-code-used`: the unused recovery codes left.',
  })
  remaining?: number;

  @ApiPropertyOptional({ description: '`mfa.reset`: whether an authenticator app was removed.' })
  hadTotp?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: MAX_PASSKEYS_PER_USER,
    description: '`mfa.reset`: how many passkeys were removed.',
  })
  passkeys?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: 36,
    description: '`mfa.passkey-added`, `mfa.passkey-renamed`, `mfa.passkey-removed`: the passkey.',
  })
  passkeyId?: string;

  @ApiPropertyOptional({
    maxLength: PASSKEY_NAME_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    description:
      '`mfa.passkey-added`, `mfa.passkey-renamed`, `mfa.passkey-removed`: its name (the new one when renamed).',
  })
  name?: string;
}
