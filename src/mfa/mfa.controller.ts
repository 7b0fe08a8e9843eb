import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentSession, Public } from '../access/access.decorators.js';
import { TokenPairDto } from '../auth/dto/token-pair.dto.js';
import type { SessionPrincipal } from '../access/principal.js';
import { Client, type ClientInfo } from '../common/http/client-info.js';
import {
  ApiProblems,
  COUNTERS_UNAVAILABLE,
  EMAIL_NOT_VERIFIED,
  SUSPENDED,
  type ProblemMeaning,
} from '../common/swagger/api-problems.decorator.js';
import { RateLimit } from '../rate-limit/rate-limit.js';
import { MfaLoginDto } from './dto/mfa-login.dto.js';
import {
  ConfirmTotpDto,
  CurrentPasswordDto,
  PasswordAndSecondFactorDto,
  proofOf,
} from './dto/second-factor-fields.js';
import { RecoveryCodesResponseDto, TotpSetupResponseDto } from './dto/totp-setup-response.dto.js';
import { MfaLoginService } from './mfa-login.service.js';
import { TotpService } from './totp.service.js';
import { durationInWords } from '../config/environment.js';
import { MFA_CHALLENGE_MAX_FAILURES, MFA_CHALLENGE_TTL_SECONDS } from '../auth/mfa-challenges.js';
import { RECOVERY_CODE_COUNT } from './recovery-codes.js';

const MFA_TOKEN = 'mF4tQk2yQv7sXbN3dP8wR1zL6aH0cJ5eG9uYiTo2KsM';
const PASSWORD = 'correct horse battery 42';
/** A body takes a code or a recovery code, never both: an example of each. */
const proofExamples = (base: Record<string, string>) => ({
  code: { summary: 'With a code of the authenticator app', value: { ...base, code: '492039' } },
  recoveryCode: { summary: 'With a recovery code', value: { ...base, recoveryCode: 'K7QMX-4TZP9' } },
});

const LOCKED: ProblemMeaning = {
  status: 429,
  description:
    'Too many wrong passwords or codes for this account (the login lock, AUTH_LOCKOUT_THRESHOLD): retry after `Retry-After` seconds.',
};
const NOT_SET_UP: ProblemMeaning = {
  status: 409,
  type: 'totp-not-set-up',
  description: 'No authenticator app in the state this needs (`/problems/totp-not-set-up`).',
};

@ApiTags('mfa')
@Controller('auth')
export class MfaController {
  constructor(
    private readonly totp: TotpService,
    private readonly login: MfaLoginService,
  ) {}

  @Post('login/mfa')
  @Public()
  @RateLimit('login')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'mfa_login',
    summary: 'Finish a sign-in with a second factor',
    description: `After a login answered \`mfaRequired\`: its \`mfaToken\` with the code the authenticator app shows (or a recovery code) gets the usual token pair. A code works once; the previous and next 30-second codes are accepted too. A wrong code is a 401 \`invalid-second-factor\` and counts toward the login lock of the account; wrong code number ${MFA_CHALLENGE_MAX_FAILURES} spends the \`mfaToken\` (then a 401 \`invalid-mfa-token\`: sign in again). A token is valid ${durationInWords(MFA_CHALLENGE_TTL_SECONDS)}.`,
  })
  @ApiBody({ type: MfaLoginDto, examples: proofExamples({ mfaToken: MFA_TOKEN }) })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(
    400,
    {
      status: 401,
      type: 'invalid-second-factor',
      description:
        'The code is wrong, expired or used (`/problems/invalid-second-factor`), or the `mfaToken` is (`/problems/invalid-mfa-token`: sign in again).',
    },
    SUSPENDED,
    413,
    415,
    LOCKED,
  )
  finishLogin(@Body() body: MfaLoginDto, @Client() client: ClientInfo): Promise<TokenPairDto> {
    return this.login.complete(body.mfaToken, proofOf(body), client);
  }

  @Post('mfa/totp/setup')
  @HttpCode(200)
  @Access()
  @ApiOperation({
    operationId: 'mfa_setUpTotp',
    summary: 'Set up an authenticator app',
    description:
      'Needs the current password (a wrong one is a 400 on `#/currentPassword`) and a verified email address. Answers a new secret, as text, as an `otpauth://` URI and as a QR code; nothing changes at login until `/auth/mfa/totp/confirm` receives a first code. Setting up again before confirming replaces the secret. The secret is stored encrypted (AUTH_MFA_ENCRYPTION_KEY) and never shown again.',
  })
  @ApiOkResponse({ type: TotpSetupResponseDto })
  @ApiProblems(
    400,
    EMAIL_NOT_VERIFIED,
    {
      status: 409,
      type: 'totp-already-enabled',
      description:
        'An authenticator app is already enabled (`/problems/totp-already-enabled`): turn it off first.',
    },
    413,
    415,
    LOCKED,
    COUNTERS_UNAVAILABLE,
  )
  setUp(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: CurrentPasswordDto,
  ): Promise<TotpSetupResponseDto> {
    return this.totp.setUp(principal, body.currentPassword);
  }

  @Post('mfa/totp/confirm')
  @HttpCode(200)
  @Access()
  @ApiOperation({
    operationId: 'mfa_confirmTotp',
    summary: 'Turn the authenticator app on with its first code',
    description: `From now on a password login asks for a code. Answers ${RECOVERY_CODE_COUNT} recovery codes, shown this once. Every other session of the account ends; this one stays. A wrong code is a 400 on \`#/code\`.`,
  })
  @ApiOkResponse({ type: RecoveryCodesResponseDto })
  @ApiProblems(400, NOT_SET_UP, 413, 415)
  async confirm(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: ConfirmTotpDto,
  ): Promise<RecoveryCodesResponseDto> {
    return { recoveryCodes: await this.totp.confirm(principal, body.code) };
  }

  @Delete('mfa/totp')
  @HttpCode(204)
  @Access()
  @ApiOperation({
    operationId: 'mfa_disableTotp',
    summary: 'Turn the authenticator app off',
    description:
      'Needs the current password and a code (or a recovery code, for a lost phone). The recovery codes stop working with it. Wrong passwords and codes count toward the login lock.',
  })
  @ApiNoContentResponse({
    description: 'Off: a password login no longer asks for a code (unless the account has passkeys).',
  })
  @ApiProblems(400, NOT_SET_UP, 413, 415, LOCKED, COUNTERS_UNAVAILABLE)
  async disable(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: PasswordAndSecondFactorDto,
  ): Promise<void> {
    await this.totp.disable(principal, body.currentPassword, proofOf(body));
  }

  @Post('mfa/recovery-codes')
  @HttpCode(200)
  @Access()
  @ApiOperation({
    operationId: 'mfa_regenerateRecoveryCodes',
    summary: 'Replace the recovery codes',
    description: `Needs the current password and a code (or a recovery code). Answers ${RECOVERY_CODE_COUNT} new codes, shown this once; every earlier code stops working.`,
  })
  @ApiBody({ type: PasswordAndSecondFactorDto, examples: proofExamples({ currentPassword: PASSWORD }) })
  @ApiOkResponse({ type: RecoveryCodesResponseDto })
  @ApiProblems(400, NOT_SET_UP, 413, 415, LOCKED, COUNTERS_UNAVAILABLE)
  async regenerateRecoveryCodes(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: PasswordAndSecondFactorDto,
  ): Promise<RecoveryCodesResponseDto> {
    return {
      recoveryCodes: await this.totp.regenerateRecoveryCodes(principal, body.currentPassword, proofOf(body)),
    };
  }
}
