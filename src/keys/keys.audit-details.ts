import { ApiPropertyOptional } from '@nestjs/swagger';
import { SIGNING_KEY_STATES, ASYMMETRIC_ALGORITHMS } from './entities/signing-key.entity.js';

/** A `kid` is a SHA-256 thumbprint in base64url (key-material.ts). */
const KID = {
  pattern: '^[A-Za-z0-9_-]{43}$',
  maxLength: 43,
  example: 'pJ8v3nN0kq1mYl6qjQq2m8yZx7b0Wc4d5e6f7g8h9iA',
};

/** What signing-key changes record beyond their columns (`details`), for the audit log's schema. */
export class KeysAuditDetailsDto {
  @ApiPropertyOptional({
    ...KID,
    description:
      '`signing-key.created`, `signing-key.rotated` (the key that signs now), `signing-key.retired`: the key.',
  })
  kid?: string;

  @ApiPropertyOptional({
    enum: ASYMMETRIC_ALGORITHMS,
    description: '`signing-key.created`, `signing-key.rotated`.',
  })
  algorithm?: string;

  @ApiPropertyOptional({
    enum: SIGNING_KEY_STATES,
    description: '`signing-key.created`: `current` or `next`.',
  })
  state?: string;

  @ApiPropertyOptional({ ...KID, description: '`signing-key.rotated`: the key retired by the rotation.' })
  previousKid?: string;
}
