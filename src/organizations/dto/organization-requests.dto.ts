import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../../access/organization-roles.js';
import { EMAIL_MAX_LENGTH, ONE_LINE_TEXT, PlainText } from '../../common/http/text-fields.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { EmailField } from '../../users/dto/user-fields.js';
import { ORGANIZATION_SLUG, ORGANIZATION_SLUG_MAX_LENGTH } from '../entities/organization.entity.js';
import { OrganizationNameField, OrganizationSlugField } from './organization-fields.js';

export class CreateOrganizationDto {
  @OrganizationNameField()
  name: string;

  @OrganizationSlugField()
  slug: string;
}

export class UpdateOrganizationDto {
  @OrganizationNameField({ required: false })
  @IsOptional()
  name?: string;

  @OrganizationSlugField({ required: false })
  @IsOptional()
  slug?: string;
}

export class DeleteOrganizationQuery {
  @ApiProperty({
    description: "The organization's slug, repeated: what stands between a click and a deleted organization.",
    maxLength: ORGANIZATION_SLUG_MAX_LENGTH,
    pattern: ORGANIZATION_SLUG,
    example: 'acme',
  })
  @IsString()
  @MaxLength(ORGANIZATION_SLUG_MAX_LENGTH)
  confirm: string;
}

const ROLE = {
  enum: ORGANIZATION_ROLES,
  description:
    '`owner`: everything, deleting the organization and managing owners included; `admin`: the organization and its members but the owners, invitations, the audit events; `member`: reads the organization and its members.',
  example: 'member',
} as const;

export class UpdateMemberDto {
  @ApiProperty(ROLE)
  @IsIn(ORGANIZATION_ROLES)
  role: OrganizationRole;
}

export class CreateInvitationDto {
  @EmailField()
  email: string;

  @ApiProperty({ ...ROLE, description: `${ROLE.description} Only an owner invites an owner.` })
  @IsIn(ORGANIZATION_ROLES)
  role: OrganizationRole;
}

export class AcceptInvitationDto {
  @ApiProperty({
    description: 'The token of the invitation link (`?token=…`).',
    minLength: 1,
    maxLength: 100,
    pattern: '^[A-Za-z0-9_-]+$',
    example: 'q1Xq0u3c2bJ0qvH2m4m8cXy6n5qYw0mY3m2bq0v8s1E',
  })
  @IsString()
  @MaxLength(100)
  token: string;
}

export class ListMembersQuery extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Case-insensitive part of the name or the email; `%` and `_` match themselves.',
    maxLength: EMAIL_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    example: 'ada',
  })
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  @PlainText()
  search?: string;
}
