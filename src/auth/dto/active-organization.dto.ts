import { ApiProperty, OmitType } from '@nestjs/swagger';
import { IsUUID, ValidateIf } from 'class-validator';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../../access/organization-roles.js';
import { TokenPairDto } from './token-pair.dto.js';

export class SelectOrganizationDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    maxLength: 36,
    nullable: true,
    description: 'One of your organizations; null to select none.',
    example: '3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9',
  })
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  organizationId: string | null;
}

/** A new access token for the session, naming the organization it selected. */
export class ActiveOrganizationDto extends OmitType(TokenPairDto, ['refreshToken'] as const) {
  @ApiProperty({
    type: String,
    format: 'uuid',
    maxLength: 36,
    nullable: true,
    description: 'The selected organization (the token’s `org_id`); null when none is.',
    example: '3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9',
  })
  organizationId: string | null;

  @ApiProperty({
    type: String,
    // A nullable enum lists null among its values (OpenAPI 3.0.3 §4.7.25).
    enum: [...ORGANIZATION_ROLES, null],
    nullable: true,
    description: 'Your role in it (the token’s `org_role`); null when none is selected.',
    example: 'admin',
  })
  organizationRole: OrganizationRole | null;
}
