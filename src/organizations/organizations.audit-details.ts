import { ApiPropertyOptional } from '@nestjs/swagger';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../access/organization-roles.js';
import { ORGANIZATION_SLUG, ORGANIZATION_SLUG_MAX_LENGTH } from './entities/organization.entity.js';

/** What organization events record beyond their columns (`details`), for the audit log's schema. */
export class OrganizationsAuditDetailsDto {
  @ApiPropertyOptional({
    maxLength: ORGANIZATION_SLUG_MAX_LENGTH,
    pattern: ORGANIZATION_SLUG,
    description: '`organization.*`: the organization’s slug at the time (it outlives a deletion here).',
    example: 'acme',
  })
  organizationSlug?: string;

  @ApiPropertyOptional({
    enum: ORGANIZATION_ROLES,
    description:
      '`organization.member-added`, `organization.member-role-changed`, `organization.invitation-sent`: the role in the organization.',
  })
  organizationRole?: OrganizationRole;

  @ApiPropertyOptional({
    enum: ORGANIZATION_ROLES,
    description: '`organization.member-role-changed`, `organization.member-removed`: the role before.',
  })
  previousOrganizationRole?: OrganizationRole;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: 36,
    description:
      '`organization.invitation-*`, and `organization.member-added` by an invitation: the invitation.',
  })
  invitationId?: string;
}
