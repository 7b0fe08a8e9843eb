import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access, CurrentSession, Public } from '../access/access.decorators.js';
import { TokenPairDto } from '../auth/dto/token-pair.dto.js';
import type { SessionPrincipal } from '../access/principal.js';
import { Client, type ClientInfo } from '../common/http/client-info.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import {
  ApiProblems,
  COUNTERS_UNAVAILABLE,
  EMAIL_NOT_VERIFIED,
  SUSPENDED,
} from '../common/swagger/api-problems.decorator.js';
import { RateLimit } from '../rate-limit/rate-limit.js';
import { PasskeyListDto, PasskeyResponseDto } from './dto/passkey-response.dto.js';
import { CurrentPasswordDto } from './dto/second-factor-fields.js';
import {
  PasskeyAuthenticationDto,
  RegisterPasskeyDto,
  RenamePasskeyDto,
} from './dto/webauthn-credential.dto.js';
import {
  PasskeyAuthenticationOptionsDto,
  PasskeyRegistrationOptionsDto,
} from './dto/webauthn-options.dto.js';
import { PasskeySignIn } from './passkey-sign-in.service.js';
import { PasskeysService } from './passkeys.service.js';
import { durationInWords } from '../config/environment.js';
import { MFA_CHALLENGE_TTL_SECONDS } from '../auth/mfa-challenges.js';

const LIMIT = {
  status: 409,
  type: 'passkey-limit',
  description: 'The account has 20 passkeys, the most it may (`/problems/passkey-limit`): remove one first.',
};

@ApiTags('mfa')
@Controller('auth/passkeys')
export class PasskeysController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly passkeySignIn: PasskeySignIn,
  ) {}

  @Post('registration/options')
  @HttpCode(200)
  @Access()
  @ApiOperation({
    operationId: 'passkeys_registrationOptions',
    summary: 'Start adding a passkey',
    description: `Needs the current password (a passkey signs in on its own) and a verified email address. Answers the options for \`navigator.credentials.create\`: a discoverable credential with user verification, for the relying party APP_PUBLIC_URL names, excluding the passkeys the account has. Its challenge works once, for ${durationInWords(MFA_CHALLENGE_TTL_SECONDS)}.`,
  })
  @ApiOkResponse({ type: PasskeyRegistrationOptionsDto })
  @ApiProblems(
    400,
    EMAIL_NOT_VERIFIED,
    LIMIT,
    413,
    415,
    {
      status: 429,
      description: 'Too many wrong passwords (the login lock): retry after `Retry-After` seconds.',
    },
    COUNTERS_UNAVAILABLE,
  )
  registrationOptions(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: CurrentPasswordDto,
  ): Promise<PasskeyRegistrationOptionsDto> {
    return this.passkeys.registrationOptions(
      principal,
      body.currentPassword,
    ) as Promise<PasskeyRegistrationOptionsDto>;
  }

  @Post('registration')
  @HttpCode(201)
  @Access()
  @ApiOperation({
    operationId: 'passkeys_register',
    summary: 'Add a passkey',
    description:
      "What `navigator.credentials.create` returned, as JSON. Verified against this account's live challenge, APP_PUBLIC_URL's origin and host, with user verification; a response that does not verify is a 400 on `#/response`. From now on a password login asks for a second factor (a passkey is one).",
  })
  @ApiCreatedResponse({ type: PasskeyResponseDto })
  @ApiProblems(400, EMAIL_NOT_VERIFIED, LIMIT, 413, 415)
  async register(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: RegisterPasskeyDto,
  ): Promise<PasskeyResponseDto> {
    return PasskeyResponseDto.from(await this.passkeys.register(principal, body.response, body.name));
  }

  @Get()
  @Access()
  @ApiOperation({
    operationId: 'passkeys_list',
    summary: 'Your passkeys',
    description: 'Oldest first, with when each was last used.',
  })
  @ApiOkResponse({ type: PasskeyListDto })
  async list(@CurrentSession() principal: SessionPrincipal): Promise<PasskeyListDto> {
    return { items: (await this.passkeys.list(principal)).map(PasskeyResponseDto.from) };
  }

  @Patch(':id')
  @Access({ recentAuthentication: true })
  @ApiOperation({
    operationId: 'passkeys_rename',
    summary: 'Rename a passkey',
    description:
      "Needs a recent sign-in (`POST /auth/reauthenticate`, else 403). Another account's passkey is a 404, as one that does not exist.",
  })
  @ApiOkResponse({ type: PasskeyResponseDto })
  @ApiProblems(400, 404, 413, 415)
  @ApiUuidParam()
  async rename(
    @CurrentSession() principal: SessionPrincipal,
    @UuidParam() id: string,
    @Body() body: RenamePasskeyDto,
  ): Promise<PasskeyResponseDto> {
    return PasskeyResponseDto.from(await this.passkeys.rename(principal, id, body.name));
  }

  @Delete(':id')
  @HttpCode(204)
  @Access({ recentAuthentication: true })
  @ApiOperation({
    operationId: 'passkeys_remove',
    summary: 'Remove a passkey',
    description:
      "Needs a recent sign-in (`POST /auth/reauthenticate`, else 403). It stops signing in at once. Another account's passkey is a 404, as one that does not exist.",
  })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async remove(@CurrentSession() principal: SessionPrincipal, @UuidParam() id: string): Promise<void> {
    await this.passkeys.remove(principal, id);
  }

  @Post('authentication/options')
  @Public()
  @RateLimit('login')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'passkeys_authenticationOptions',
    summary: 'Start signing in with a passkey',
    description: `Answers the options for \`navigator.credentials.get\`: no account is named (the authenticator offers the passkeys it holds for this site). Its challenge works once, for ${durationInWords(MFA_CHALLENGE_TTL_SECONDS)}.`,
  })
  @ApiOkResponse({ type: PasskeyAuthenticationOptionsDto })
  @ApiProblems(413, 415)
  authenticationOptions(): Promise<PasskeyAuthenticationOptionsDto> {
    return this.passkeySignIn.authenticationOptions() as Promise<PasskeyAuthenticationOptionsDto>;
  }

  @Post('authentication')
  @Public()
  @RateLimit('login')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'passkeys_authenticate',
    summary: 'Sign in with a passkey',
    description:
      'What `navigator.credentials.get` returned, as JSON: the usual token pair, without a password (a passkey with user verification is both factors). Any failure (a challenge that is unknown, used or expired, an unregistered credential, a bad signature, no user verification) is the same 401 `invalid-passkey`.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(
    400,
    {
      status: 401,
      type: 'invalid-passkey',
      description: 'The passkey was not accepted (`/problems/invalid-passkey`).',
    },
    SUSPENDED,
    413,
    415,
  )
  authenticate(@Body() body: PasskeyAuthenticationDto, @Client() client: ClientInfo): Promise<TokenPairDto> {
    return this.passkeySignIn.authenticate(body.response, client);
  }
}
