import { ApiPropertyOptional } from '@nestjs/swagger';
import { EMAIL_MAX_LENGTH } from '../common/http/text-fields.js';

/**
 * What email changes and password resets record beyond their columns (`details`), for the audit
 * log's schema.
 */
export class AccountEmailsAuditDetailsDto {
  @ApiPropertyOptional({
    format: 'idn-email',
    maxLength: EMAIL_MAX_LENGTH,
    description: '`email.change-confirmed`: the address it replaced.',
  })
  previousEmail?: string;

  @ApiPropertyOptional({
    format: 'idn-email',
    maxLength: EMAIL_MAX_LENGTH,
    description: '`email.change-requested`: the address asked for.',
  })
  newEmail?: string;

  @ApiPropertyOptional({
    description:
      '`password.reset-completed`: the address had never been verified, so every second factor, session, pending sign-in and link that whoever set the account up had made was removed with the reset (account pre-hijacking).',
  })
  reclaimed?: boolean;
}
