import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../audit/audit-log.module.js';
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
  providers: [SigningKeysRepository, KeyRing, SigningKeys, SigningKeysRetention],
  exports: [KeyRing, SigningKeys],
})
export class KeysModule {}
