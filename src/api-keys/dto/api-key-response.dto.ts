import { ApiProperty } from '@nestjs/swagger';
import { API_SCOPES, type ApiScope } from '../../access/api-scopes.js';
import { IP_ADDRESS_MAX_LENGTH } from '../../common/http/client-info.js';
import { ONE_LINE_TEXT } from '../../common/http/text-fields.js';
import { API_KEY_NAME_MAX_LENGTH, MAX_API_KEYS_PER_USER, type ApiKey } from '../entities/api-key.entity.js';

const DATE_TIME = { format: 'date-time', maxLength: 30 } as const;

/** A key as its owner (or an admin) sees it: never its text or its hash. */
export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '5b0e2a7c-8f1d-4c3b-9e6a-1d2c3b4a5f60' })
  id: string;

  @ApiProperty({ maxLength: API_KEY_NAME_MAX_LENGTH, pattern: ONE_LINE_TEXT, example: 'Nightly export' })
  name: string;

  @ApiProperty({
    description: "The key's first characters, to tell it apart from the others.",
    pattern: '^gat_[A-Za-z0-9]{4}$',
    maxLength: 8,
    example: 'gat_z56t',
  })
  prefix: string;

  @ApiProperty({ enum: API_SCOPES, isArray: true, maxItems: API_SCOPES.length, example: ['users:read'] })
  scopes: ApiScope[];

  @ApiProperty({ ...DATE_TIME, example: '2026-12-07T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({
    type: String,
    ...DATE_TIME,
    nullable: true,
    description: 'When it stops working; null: never (API_KEY_MAX_TTL=none).',
    example: '2027-12-07T10:00:00.000Z',
  })
  expiresAt: string | null;

  @ApiProperty({
    type: String,
    ...DATE_TIME,
    nullable: true,
    description: 'Its last request, to the minute; null before the first.',
    example: '2026-12-07T12:00:00.000Z',
  })
  lastUsedAt: string | null;

  @ApiProperty({
    type: String,
    maxLength: IP_ADDRESS_MAX_LENGTH,
    // IPv4 or IPv6, an IPv6 zone included (`fe80::1%eth0`).
    pattern: '^[0-9A-Za-z:.%_-]+$',
    nullable: true,
    description:
      'The client address of its last request, as `TRUST_PROXY` decides it; null before the first.',
    example: '203.0.113.7',
  })
  lastUsedFrom: string | null;

  static from(key: ApiKey): ApiKeyResponseDto {
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      createdAt: key.createdAt.toISOString(),
      expiresAt: key.expiresAt?.toISOString() ?? null,
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
      lastUsedFrom: key.lastUsedFrom,
    };
  }
}

/** A new key, the one time its text is shown. */
export class CreatedApiKeyDto extends ApiKeyResponseDto {
  @ApiProperty({
    description:
      'The key: `gat_`, 30 random characters and a 6-character checksum. Shown this once and never again (only a keyed hash is stored): keep it in a secret store. Send it as `Authorization: Bearer gat_…`.',
    pattern: '^gat_[A-Za-z0-9]{36}$',
    minLength: 40,
    maxLength: 40,
    example: 'gat_z56txfWb2TbHWEiMNUUuNt5RCH5aHW3Rx0Zd',
  })
  key: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyResponseDto], maxItems: MAX_API_KEYS_PER_USER, description: 'Newest first.' })
  items: ApiKeyResponseDto[];
}
