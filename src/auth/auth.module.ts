import { KeysModule } from '../keys/keys.module.js';
import { SecurityNoticesModule } from '../security-notices/security-notices.js';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from '../access/access.guard.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { Principals } from '../access/principals.js';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokens } from './access-tokens.js';
import { AccountAccessService } from './account-access.service.js';
import { AuthDataModule } from './auth-data.module.js';
import { AuthController } from './auth.controller.js';
import { CredentialChecks } from './credential-checks.js';
import { PasswordChangeService } from './password-change.service.js';
import { SignInService } from './sign-in.service.js';
import { LoginLockModule } from './login-lock.module.js';
import { MfaChallenges } from './mfa-challenges.js';
import { RefreshTokens } from './refresh-tokens.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';
import { TokenPrincipals } from './token-principals.js';
import { UserAccessController } from './user-access.controller.js';

/**
 * Sign-in, tokens and sessions; the owner of `sessions`, `refresh_tokens` and `mfa_challenges` (a
 * sign-in's second step, which the MFA module completes through `SignInService`); the global guard.
 */
@Module({
  imports: [
    AuthDataModule,
    KeysModule,
    ApiKeysModule,
    OrganizationsModule,
    UsersModule,
    PasswordsModule,
    LoginLockModule,
    MetricsModule,
    AuditLogModule,
    SecurityNoticesModule,
  ],
  controllers: [AuthController, SessionsController, UserAccessController],
  providers: [
    SignInService,
    CredentialChecks,
    PasswordChangeService,
    AccountAccessService,
    AccessTokens,
    RefreshTokens,
    SessionsService,
    MfaChallenges,
    // Deny by default: every route of every module needs a valid access token unless @Public().
    { provide: Principals, useClass: TokenPrincipals },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [
    SignInService,
    CredentialChecks,
    AccountAccessService,
    SessionsService,
    MfaChallenges,
    LoginLockModule,
  ],
})
export class AuthModule {}
