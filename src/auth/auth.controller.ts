import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Client, type ClientInfo } from '../common/http/client-info.js';
import { ApiProblems, COUNTERS_UNAVAILABLE, SUSPENDED } from '../common/swagger/api-problems.decorator.js';
import { RateLimit } from '../rate-limit/rate-limit.js';
import { Access, CurrentSession, Public } from '../access/access.decorators.js';
import { PasswordChangeService } from './password-change.service.js';
import { SessionsService } from './sessions.service.js';
import { SignInService } from './sign-in.service.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { SecondFactorRequiredDto } from './dto/second-factor-required.dto.js';
import { TokenPairDto } from './dto/token-pair.dto.js';
import type { SessionPrincipal } from '../access/principal.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly signIn: SignInService,
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordChangeService,
  ) {}

  @Post('login')
  @Public()
  @RateLimit('login')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'auth_login',
    summary: 'Sign in',
    description:
      'Starts a session. An unknown email and a wrong password get the same 401, with or without a second factor. Repeated failures lock the email for a while (429 with `Retry-After`). A suspended account gets a 403 after the right password, and the usual 401 after a wrong one. An account with a second factor gets `{ mfaRequired, mfaToken, methods }` instead of tokens: finish at `/auth/login/mfa`; the wrong codes there count toward the same lock.',
  })
  @ApiExtraModels(TokenPairDto, SecondFactorRequiredDto)
  @ApiOkResponse({
    description:
      'Signed in: a token pair. Or, for an account with a second factor, `mfaRequired` and a token for `/auth/login/mfa`.',
    schema: {
      oneOf: [{ $ref: getSchemaPath(TokenPairDto) }, { $ref: getSchemaPath(SecondFactorRequiredDto) }],
    },
  })
  @ApiProblems(400, 401, SUSPENDED, 413, 415)
  login(
    @Body() body: LoginDto,
    @Client() client: ClientInfo,
  ): Promise<TokenPairDto | SecondFactorRequiredDto> {
    return this.signIn.login(body.email, body.password, client);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'auth_refresh',
    summary: 'Exchange a refresh token for a new pair',
    description: 'The refresh token is single use: presenting a spent one ends its whole session.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 413, 415)
  refresh(@Body() body: RefreshDto, @Client() client: ClientInfo): Promise<TokenPairDto> {
    return this.sessions.refresh(body.refreshToken, client);
  }

  @Post('logout')
  @HttpCode(204)
  @Access()
  @ApiOperation({
    operationId: 'auth_logout',
    summary: 'End this session',
    description: 'Its tokens stop working at once.',
  })
  @ApiNoContentResponse({ description: 'Signed out.' })
  async logout(@CurrentSession() principal: SessionPrincipal): Promise<void> {
    await this.sessions.logout(principal);
  }

  @Post('logout-all')
  @HttpCode(204)
  @Access()
  @ApiOperation({
    operationId: 'auth_logoutAll',
    summary: 'End every session of this user',
    description: 'On every device: all access and refresh tokens of the user stop working at once.',
  })
  @ApiNoContentResponse({ description: 'Signed out everywhere.' })
  async logoutAll(@CurrentSession() principal: SessionPrincipal): Promise<void> {
    await this.sessions.logoutEverywhere(principal);
  }

  @Post('change-password')
  @HttpCode(204)
  @Access()
  @ApiOperation({
    operationId: 'auth_changePassword',
    summary: 'Change the password',
    description:
      'Needs the current password (a wrong one is a 400 on `#/currentPassword`, not a 401). This session stays; every other one ends.',
  })
  @ApiNoContentResponse({ description: 'Changed.' })
  @ApiProblems(400, 413, 415, COUNTERS_UNAVAILABLE)
  async changePassword(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: ChangePasswordDto,
  ): Promise<void> {
    await this.passwords.change(principal, body.currentPassword, body.newPassword);
  }
}
