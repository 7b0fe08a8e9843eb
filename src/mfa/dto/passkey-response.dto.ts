import { ApiProperty } from '@nestjs/swagger';
import { ONE_LINE_TEXT } from '../../common/http/text-fields.js';
import { MAX_PASSKEYS_PER_USER, PASSKEY_NAME_MAX_LENGTH, type Passkey } from '../entities/passkey.entity.js';
import { TRANSPORTS } from './webauthn-credential.dto.js';

/** A passkey as its owner sees it: never its public key or counter. */
export class PasskeyResponseDto {
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '3f6c1b0e-1d2a-4c1e-9b7a-2e5d8c4f6a10' })
  id: string;

  @ApiProperty({ maxLength: PASSKEY_NAME_MAX_LENGTH, pattern: ONE_LINE_TEXT, example: 'Work laptop' })
  name: string;

  @ApiProperty({
    enum: ['singleDevice', 'multiDevice'],
    description:
      "`multiDevice`: the passkey may be synced to the owner's other devices (a password manager, a platform account).",
    example: 'multiDevice',
  })
  deviceType: string;

  @ApiProperty({ description: 'Whether the authenticator says it is backed up (synced) now.', example: true })
  backedUp: boolean;

  @ApiProperty({
    enum: TRANSPORTS,
    isArray: true,
    maxItems: TRANSPORTS.length,
    example: ['internal', 'hybrid'],
  })
  transports: string[];

  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-30T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    maxLength: 30,
    nullable: true,
    description: 'The last sign-in with it; null before the first.',
    example: '2026-11-30T12:00:00.000Z',
  })
  lastUsedAt: string | null;

  static from(passkey: Passkey): PasskeyResponseDto {
    return {
      id: passkey.id,
      name: passkey.name,
      deviceType: passkey.deviceType,
      backedUp: passkey.backedUp,
      transports: passkey.transports,
      createdAt: passkey.createdAt.toISOString(),
      lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    };
  }
}

export class PasskeyListDto {
  @ApiProperty({ type: [PasskeyResponseDto], maxItems: MAX_PASSKEYS_PER_USER, description: 'Oldest first.' })
  items: PasskeyResponseDto[];
}
