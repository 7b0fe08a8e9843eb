import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorators.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems, COUNTERS_UNAVAILABLE } from '../common/swagger/api-problems.decorator.js';
import { setting } from '../common/swagger/documented-settings.js';
import { AccountEmailsService } from './account-emails.service.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';

/** An admin's way to send a user the reset mail, as an action on the user. */
@ApiTags('auth')
@Controller('users')
export class UserPasswordResetController {
  constructor(private readonly accountEmails: AccountEmailsService) {}

  @Post(':id/password-reset')
  @Idempotent()
  @HttpCode(202)
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'auth_sendPasswordReset',
    summary: 'Mail a user a password-reset link (admin)',
    description: `The mail \`POST /auth/forgot-password\` sends: a link \`<APP_PUBLIC_URL>/reset-password?token=…\` that works once, for ${setting('passwordResetTtl')}. The admin never sees the token, and the user's password and sessions stay as they are until the link is used. Counts toward the same per-address limit as forgot-password (429). No body. A suspended user is a 409 (\`/problems/user-suspended\`): unsuspend first.`,
  })
  @ApiAcceptedResponse({ description: 'Queued; the mail follows within seconds.' })
  @ApiProblems(
    400,
    404,
    {
      status: 409,
      type: 'user-suspended',
      description: 'The user is suspended (`/problems/user-suspended`).',
    },
    429,
    COUNTERS_UNAVAILABLE,
  )
  @ApiUuidParam()
  async sendPasswordReset(@UuidParam() id: string): Promise<void> {
    await this.accountEmails.sendPasswordReset(id);
  }
}
