import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentSession, Public } from '../access/access.decorators.js';
import type { SessionPrincipal } from '../access/principal.js';
import { ApiProblems, SUSPENDED } from '../common/swagger/api-problems.decorator.js';
import { setting } from '../common/swagger/documented-settings.js';
import { RateLimit } from '../rate-limit/rate-limit.js';
import { EmailChangeService } from './email-change.service.js';
import { ChangeEmailDto } from './dto/change-email.dto.js';
import { ConfirmEmailChangeDto } from './dto/confirm-email-change.dto.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';

/** Moving an account to another address: asked for with the password, confirmed from the new address. */
@ApiTags('auth')
@Controller('auth')
export class EmailChangeController {
  constructor(private readonly emailChange: EmailChangeService) {}

  @Post('change-email')
  @Idempotent()
  @RateLimit('email')
  @HttpCode(202)
  @Access()
  @ApiOperation({
    operationId: 'auth_changeEmail',
    summary: 'Ask to change the email address',
    description: `Needs the current password (a wrong one is a 400 on \`#/currentPassword\`, and counts toward the login lock). The new address gets a link \`<APP_PUBLIC_URL>/confirm-email-change?token=…\` that works once, for ${setting('emailChangeTtl')} (AUTH_EMAIL_CHANGE_TTL); the current address gets a notice without a link. Nothing changes until the link is used. When another account has the new address, the answer is the same 202 and that address gets a notice instead of a link, so the answer tells nobody which addresses have accounts. A new request replaces the previous one (its link stops working), and so does a password change. Limited per account, per new address and per client address (429).`,
  })
  @ApiAcceptedResponse({ description: 'Accepted: the mails follow within seconds.' })
  @ApiProblems(400, 413, 415)
  async changeEmail(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: ChangeEmailDto,
  ): Promise<void> {
    await this.emailChange.request(principal, body.newEmail, body.currentPassword);
  }

  @Post('confirm-email-change')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'auth_confirmEmailChange',
    summary: 'Confirm a new email address',
    description:
      'With the token from the link sent to the new address; no sign-in needed (the link is the proof). The account takes the new address, counted as verified; every session ends but the one that asked for the change, and every other emailed link of the account stops working. The token works once. A 409 when another account took the address meanwhile (the token stays usable).',
  })
  @ApiNoContentResponse({ description: 'The email address is changed; sign in with it.' })
  @ApiProblems(
    400,
    SUSPENDED,
    {
      status: 409,
      type: 'email-taken',
      description: 'Another account has this address now (`/problems/email-taken`).',
    },
    413,
    415,
  )
  async confirmEmailChange(@Body() body: ConfirmEmailChangeDto): Promise<void> {
    await this.emailChange.confirm(body.token);
  }
}
