import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { MfaChallenge } from './entities/mfa-challenge.entity.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';
import { MfaChallengesRetention } from './mfa-challenges-retention.js';
import { MfaChallengesRepository } from './mfa-challenges.repository.js';
import { SessionsRetention } from './sessions-retention.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * The auth module's tables (`sessions`, `refresh_tokens`, `mfa_challenges`): their repositories
 * and retention, in a module of its own so that `npm run worker`, which serves no HTTP and so
 * loads no `AuthModule`, purges them too.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Session, RefreshToken, MfaChallenge]), UsersModule],
  providers: [SessionsRepository, MfaChallengesRepository, SessionsRetention, MfaChallengesRetention],
  exports: [SessionsRepository, MfaChallengesRepository],
})
export class AuthDataModule {}
