import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyPrincipals } from '../access/principals.js';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.js';
import { SecurityNoticesModule } from '../security-notices/security-notices.js';
import { UsersModule } from '../users/users.module.js';
import { ApiKeyHashes } from './api-key-hashes.js';
import { ApiKeyPrincipalsService } from './api-key-principals.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKey } from './entities/api-key.entity.js';
import { UserApiKeysController } from './user-api-keys.controller.js';

/**
 * API keys (`api_keys`): machines calling for a person. Owners make, list, rename and revoke them;
 * admins list and revoke anyone's. It gives the access layer its `ApiKeyPrincipals`, which the
 * auth module hands to the guard beside the sessions' `Principals`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKey]),
    UsersModule,
    AuditLogModule,
    SecurityNoticesModule,
    RateLimitModule,
  ],
  controllers: [ApiKeysController, UserApiKeysController],
  providers: [
    ApiKeysRepository,
    ApiKeysService,
    ApiKeyHashes,
    { provide: ApiKeyPrincipals, useClass: ApiKeyPrincipalsService },
  ],
  exports: [ApiKeyPrincipals, ApiKeysService],
})
export class ApiKeysModule {}
