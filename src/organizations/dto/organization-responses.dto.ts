import { ApiProperty } from '@nestjs/swagger';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../../access/organization-roles.js';
import { EMAIL_MAX_LENGTH, ONE_LINE_TEXT } from '../../common/http/text-fields.js';
import { PAGE_MAX_LIMIT } from '../../common/pagination/page-query.dto.js';
import { ApiNextCursor } from '../../common/swagger/api-page.decorator.js';
import { NAME_MAX_LENGTH } from '../../users/dto/user-fields.js';
import type { Invitation } from '../entities/invitation.entity.js';
import {
  ORGANIZATION_NAME_MAX_LENGTH,
  ORGANIZATION_SLUG,
  ORGANIZATION_SLUG_MAX_LENGTH,
  type Organization,
} from '../entities/organization.entity.js';
import type { Member } from '../organizations.repository.js';

const DATE_TIME = { format: 'date-time', maxLength: 30, example: '2026-12-07T10:00:00.000Z' } as const;
const UUID = { format: 'uuid', maxLength: 36, example: '3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9' } as const;

/** An organization, with the caller's role in it. */
export class OrganizationResponseDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({
    maxLength: ORGANIZATION_NAME_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    example: 'Acme Corporation',
  })
  name: string;

  @ApiProperty({ maxLength: ORGANIZATION_SLUG_MAX_LENGTH, pattern: ORGANIZATION_SLUG, example: 'acme' })
  slug: string;

  @ApiProperty({ enum: ORGANIZATION_ROLES, description: 'Your role in it.', example: 'owner' })
  role: OrganizationRole;

  @ApiProperty(DATE_TIME)
  createdAt: string;

  @ApiProperty(DATE_TIME)
  updatedAt: string;

  static from(organization: Organization, role: OrganizationRole): OrganizationResponseDto {
    return {
      id: organization.id,
      name: organization.name,
      slug: organization.slug,
      role,
      createdAt: organization.createdAt.toISOString(),
      updatedAt: organization.updatedAt.toISOString(),
    };
  }
}

export class OrganizationPageDto {
  @ApiProperty({
    type: [OrganizationResponseDto],
    maxItems: PAGE_MAX_LIMIT,
    description: 'The most recently joined first.',
  })
  items: OrganizationResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}

export class MemberResponseDto {
  @ApiProperty(UUID)
  userId: string;

  @ApiProperty({ format: 'idn-email', maxLength: EMAIL_MAX_LENGTH, example: 'ada@example.com' })
  email: string;

  @ApiProperty({ maxLength: NAME_MAX_LENGTH, pattern: ONE_LINE_TEXT, example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ enum: ORGANIZATION_ROLES, example: 'member' })
  role: OrganizationRole;

  @ApiProperty({ ...DATE_TIME, description: 'When they joined.' })
  joinedAt: string;

  static from(member: Member): MemberResponseDto {
    return {
      userId: member.userId,
      email: member.email,
      name: member.name,
      role: member.role,
      joinedAt: member.createdAt.toISOString(),
    };
  }
}

export class MemberPageDto {
  @ApiProperty({
    type: [MemberResponseDto],
    maxItems: PAGE_MAX_LIMIT,
    description: 'The most recently joined first.',
  })
  items: MemberResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}

/** An invitation as the organization's admins see it: never its token. */
export class InvitationResponseDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({ format: 'idn-email', maxLength: EMAIL_MAX_LENGTH, example: 'grace@example.com' })
  email: string;

  @ApiProperty({ enum: ORGANIZATION_ROLES, example: 'member' })
  role: OrganizationRole;

  @ApiProperty({
    type: String,
    ...UUID,
    nullable: true,
    description: 'Who sent it; null once their account is deleted.',
  })
  invitedBy: string | null;

  @ApiProperty(DATE_TIME)
  createdAt: string;

  @ApiProperty({
    ...DATE_TIME,
    description: 'After this it cannot be accepted (ORG_INVITATION_TTL after it was sent).',
  })
  expiresAt: string;

  static from(invitation: Invitation): InvitationResponseDto {
    return {
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      invitedBy: invitation.invitedBy,
      createdAt: invitation.createdAt.toISOString(),
      expiresAt: invitation.expiresAt.toISOString(),
    };
  }
}

export class InvitationPageDto {
  @ApiProperty({ type: [InvitationResponseDto], maxItems: PAGE_MAX_LIMIT, description: 'Newest first.' })
  items: InvitationResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}
