import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentSession } from '../access/access.decorators.js';
import type { SessionPrincipal } from '../access/principal.js';
import { ApiProblems, COUNTERS_UNAVAILABLE } from '../common/swagger/api-problems.decorator.js';
import { setting } from '../common/swagger/documented-settings.js';
import { ReauthenticateDto } from './dto/reauthenticate.dto.js';
import { ReauthenticationService, type ReauthenticationProof } from './reauthentication.service.js';

@ApiTags('auth')
@Controller('auth')
export class ReauthenticationController {
  constructor(private readonly reauthentication: ReauthenticationService) {}

  @Post('reauthenticate')
  @HttpCode(204)
  @Access()
  @ApiOperation({
    operationId: 'auth_reauthenticate',
    summary: 'Confirm it is you again',
    description: `Proves again who holds this session, with the password, a code of the authenticator app, a recovery code, or a passkey's assertion for a challenge of \`POST /auth/passkeys/authentication/options\` (exactly one). For AUTH_REAUTHENTICATION_WINDOW (${setting('reauthenticationWindow')}) from now the session may do what weakens the account: delete it, rename or remove a passkey; those answer 403 \`reauthentication-required\` outside the window. A sign-in counts as one. A wrong proof is a 400 on its member and counts toward the login lock.`,
  })
  @ApiBody({
    type: ReauthenticateDto,
    examples: {
      password: { summary: 'With the password', value: { currentPassword: 'correct horse battery 42' } },
      code: { summary: 'With a code of the authenticator app', value: { code: '492039' } },
      recoveryCode: {
        summary: 'With a recovery code (spent by this)',
        value: { recoveryCode: 'K7QMX-4TZP9' },
      },
    },
  })
  @ApiNoContentResponse({ description: 'Recently authenticated, for AUTH_REAUTHENTICATION_WINDOW from now.' })
  @ApiProblems(
    400,
    {
      status: 409,
      type: 'totp-not-set-up',
      description: 'A code was sent, but the account has no authenticator app (`/problems/totp-not-set-up`).',
    },
    413,
    415,
    {
      status: 429,
      description:
        'Too many wrong passwords or codes for this account (the login lock): retry after `Retry-After` seconds.',
    },
    COUNTERS_UNAVAILABLE,
  )
  async reauthenticate(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: ReauthenticateDto,
  ): Promise<void> {
    await this.reauthentication.reauthenticate(principal, proofOf(body));
  }
}

/** The one proof the body holds (the DTO's validation saw to that). */
function proofOf(body: ReauthenticateDto): ReauthenticationProof {
  if (body.currentPassword !== undefined) return { currentPassword: body.currentPassword };
  if (body.passkey !== undefined) return { passkey: body.passkey };
  return body.code !== undefined ? { code: body.code } : { recoveryCode: body.recoveryCode! };
}
