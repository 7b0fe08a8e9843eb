import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { SecretBox } from '../common/secret-box.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { SigningKey } from './entities/signing-key.entity.js';
import { KeyRing } from './key-ring.js';
import { SigningKeysRetention } from './signing-keys-retention.js';
import { SigningKeys } from './signing-keys.js';
import { SigningKeysRepository } from './signing-keys.repository.js';
import { WellKnownController } from './well-known.controller.js';

/**
 * The keys that sign access tokens (`signing_keys`): their life (SigningKeys: rotation on a
 * schedule and by the CLI, retention), the ring every instance signs and verifies with (KeyRing),
 * and their publication (/.well-known/jwks.json). Auth decides what a token says; this signs it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey]), AuditLogModule],
  controllers: [WellKnownController],
  providers: [
    SigningKeysRepository,
    KeyRing,
    SigningKeys,
    SigningKeysRetention,
    // One box for the private keys, this module's own (MfaModule's seals TOTP secrets with another key).
    {
      provide: SecretBox,
      inject: [authConfig.KEY],
      useFactory: (auth: AuthConfig) => new SecretBox(auth.keyEncryptionKey),
    },
  ],
  exports: [KeyRing, SigningKeys],
})
export class KeysModule {}
