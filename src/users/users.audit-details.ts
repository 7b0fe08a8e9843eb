import { ApiPropertyOptional } from '@nestjs/swagger';
import { EMAIL_MAX_LENGTH, ONE_LINE_TEXT } from '../common/http/text-fields.js';
import { SUSPENSION_REASON_MAX_LENGTH, USER_ROLES, type UserRole } from './entities/user.entity.js';

/**
 * What the users module's audit events say beyond their columns (`details`), for the audit log's
 * schema.
 */
export class UsersAuditDetailsDto {
  @ApiPropertyOptional({
    format: 'idn-email',
    maxLength: EMAIL_MAX_LENGTH,
    description: '`account.signed-up`: the address; `email.change-confirmed`: the new address.',
  })
  email?: string;

  @ApiPropertyOptional({
    enum: USER_ROLES,
    description: '`account.signed-up`, `account.role-changed`: the role.',
  })
  role?: UserRole;

  @ApiPropertyOptional({ enum: USER_ROLES, description: '`account.role-changed`: the role before.' })
  previousRole?: UserRole;

  @ApiPropertyOptional({
    maxLength: SUSPENSION_REASON_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    description: '`account.suspended`: the admin’s reason.',
  })
  suspensionReason?: string;

  @ApiPropertyOptional({
    description:
      '`account.deleted`: by the retention job, the address never verified within AUTH_UNVERIFIED_ACCOUNT_TTL.',
  })
  neverVerified?: boolean;
}
