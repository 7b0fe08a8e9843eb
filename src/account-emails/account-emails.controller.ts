import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Public } from '../access/access.decorators.js';
import type { Principal } from '../access/principal.js';
import { ApiProblems, SUSPENDED } from '../common/swagger/api-problems.decorator.js';
import { setting } from '../common/swagger/documented-settings.js';
import { RateLimit } from '../rate-limit/rate-limit.js';
import { AccountEmailsService } from './account-emails.service.js';
import { ForgotPasswordDto } from './dto/forgot-password.dto.js';
import { ResetPasswordDto } from './dto/reset-password.dto.js';
import { VerifyEmailDto } from './dto/verify-email.dto.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';

@ApiTags('auth')
@Controller('auth')
export class AccountEmailsController {
  constructor(private readonly accountEmails: AccountEmailsService) {}

  @Post('verify-email')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'auth_verifyEmail',
    summary: 'Verify the email address',
    description: `With the token from the link \`<APP_PUBLIC_URL>/verify-email?token=…\` of the welcome or verification email. Each token works once, for ${setting('verifyEmailTtl')} (AUTH_VERIFY_EMAIL_TTL).`,
  })
  @ApiNoContentResponse({ description: 'The email address is verified (`emailVerified: true`).' })
  @ApiProblems(400, 413, 415)
  async verifyEmail(@Body() body: VerifyEmailDto): Promise<void> {
    await this.accountEmails.verifyEmail(body.token);
  }

  @Post('verify-email/resend')
  @Idempotent()
  @RateLimit('email')
  @HttpCode(202)
  @Access()
  @ApiOperation({
    operationId: 'auth_resendVerification',
    summary: 'Send the verification email again',
    description:
      'Queues a new verification email to the signed-in user (nothing when the address is verified already). No body. Limited per account and per address (429).',
  })
  @ApiAcceptedResponse({ description: 'Queued; the mail follows within seconds.' })
  async resendVerification(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.accountEmails.resendVerification(principal);
  }

  @Post('forgot-password')
  @Idempotent()
  @Public()
  @RateLimit('email')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'auth_forgotPassword',
    summary: 'Ask for a password-reset email',
    description: `Answers 202 whether or not an account has this email, so the answer tells nothing; when one does (and is not suspended), it gets a link \`<APP_PUBLIC_URL>/reset-password?token=…\` that works once, for ${setting('passwordResetTtl')} (AUTH_PASSWORD_RESET_TTL). Limited per email and per address (429).`,
  })
  @ApiAcceptedResponse({ description: 'Accepted: a mail follows if an account has this email.' })
  @ApiProblems(400, 413, 415)
  async forgotPassword(@Body() body: ForgotPasswordDto): Promise<void> {
    await this.accountEmails.forgotPassword(body.email);
  }

  @Post('reset-password')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'auth_resetPassword',
    summary: 'Choose a new password with a reset token',
    description:
      'With the token from the reset email. Sets the new password (the same rules as at sign-up) and ends every session of the account. The token works once, and dies when the password changes another way. A suspended account cannot use it (403; the token stays unspent).',
  })
  @ApiNoContentResponse({ description: 'The password is changed; sign in with it.' })
  @ApiProblems(400, SUSPENDED, 413, 415)
  async resetPassword(@Body() body: ResetPasswordDto): Promise<void> {
    await this.accountEmails.resetPassword(body.token, body.newPassword);
  }
}
