import { ApiPropertyOptional } from '@nestjs/swagger';

/** What API-key events record beyond their columns (`details`), for the audit log's schema. */
export class ApiKeysAuditDetailsDto {
  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: 36,
    description:
      '`api-key.created`, `api-key.used-from-new-address`, `api-key.revoked`: the key; on any other event, the key its caller used instead of a session.',
  })
  apiKeyId?: string;

  @ApiPropertyOptional({
    pattern: '^gat_[A-Za-z0-9]{4}$',
    maxLength: 8,
    description: 'The same events: what its owner sees of the key.',
    example: 'gat_z56t',
  })
  apiKeyPrefix?: string;

  @ApiPropertyOptional({
    maxLength: 100,
    pattern: '^[a-z]+:[a-z]+( [a-z]+:[a-z]+)*$',
    description: '`api-key.created`: its scopes, separated by spaces.',
    example: 'users:read audit:read',
  })
  scopes?: string;
}
