import { SecurityNoticesModule } from '../security-notices/security-notices.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { UsersModule } from '../users/users.module.js';
import { Passkey } from './entities/passkey.entity.js';
import { RecoveryCode } from './entities/recovery-code.entity.js';
import { TotpFactor } from './entities/totp-factor.entity.js';
import { MfaController } from './mfa.controller.js';
import { MfaLoginService } from './mfa-login.service.js';
import { MfaResetService } from './mfa-reset.service.js';
import { PasskeysController } from './passkeys.controller.js';
import { PasskeySignIn } from './passkey-sign-in.service.js';
import { PasskeysService } from './passkeys.service.js';
import { WebAuthnRelyingParty } from './webauthn-relying-party.js';
import { SecondFactors } from './second-factors.js';
import { SecondFactorsRepository } from './second-factors.repository.js';
import { RecoveryCodeHashes } from './recovery-codes.js';
import { ServerKeys } from '../common/server-keys.js';
import { SecretBox } from '../common/secret-box.js';
import { TotpService } from './totp.service.js';
import { UserMfaController } from './user-mfa.controller.js';

/**
 * Second factors: the owner of `totp_factors`, `recovery_codes` and `passkeys`. It completes the
 * sign-ins the auth module starts (a login that answered `mfaRequired`), through `SignInService`
 * and `CredentialChecks`;
 * the auth module knows only the user's summary (`users.totp_enabled`, `passkey_count`).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TotpFactor, RecoveryCode, Passkey]),
    AuthModule,
    UsersModule,
    AuditLogModule,
    SecurityNoticesModule,
  ],
  controllers: [MfaController, PasskeysController, UserMfaController],
  providers: [
    TotpService,
    MfaLoginService,
    MfaResetService,
    PasskeysService,
    PasskeySignIn,
    WebAuthnRelyingParty,
    SecondFactors,
    SecondFactorsRepository,
    {
      provide: RecoveryCodeHashes,
      inject: [authConfig.KEY],
      useFactory: (auth: AuthConfig) => new RecoveryCodeHashes(new ServerKeys(auth.mfaEncryptionKey)),
    },
    {
      provide: SecretBox,
      inject: [authConfig.KEY],
      useFactory: (auth: AuthConfig) => new SecretBox(auth.mfaEncryptionKey),
    },
  ],
  exports: [MfaResetService, SecondFactors, PasskeySignIn],
})
export class MfaModule {}
