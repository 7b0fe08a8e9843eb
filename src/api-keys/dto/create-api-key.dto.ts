import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
} from 'class-validator';
import { API_SCOPES, type ApiScope } from '../../access/api-scopes.js';
import { ApiKeyNameField } from './api-key-fields.js';

export class CreateApiKeyDto {
  @ApiKeyNameField()
  name: string;

  @ApiProperty({
    enum: API_SCOPES,
    isArray: true,
    minItems: 1,
    maxItems: API_SCOPES.length,
    uniqueItems: true,
    description:
      'What the key may do: each operation that takes keys names the scope it needs (`x-api-key-scope`). The key never does more than its owner may at the moment of each request.',
    example: ['users:read'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_SCOPES, { each: true })
  scopes: ApiScope[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    maxLength: 30,
    description:
      'When the key stops working: in the future, and no later than API_KEY_MAX_TTL from now. Without it, API_KEY_MAX_TTL from now (or never, where API_KEY_MAX_TTL=none).',
    example: '2027-06-30T00:00:00.000Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;
}

export class RenameApiKeyDto {
  @ApiKeyNameField()
  name: string;
}
