import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.js';
import { RedisModule } from '../redis/redis.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokens } from './access-tokens.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session } from './entities/session.entity.js';
import { LoginLockout } from './login-lockout.js';
import { SessionsRepository } from './sessions.repository.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Session, RefreshToken]),
    UsersModule,
    PasswordsModule,
    RateLimitModule,
    RedisModule,
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AccessTokens,
    SessionsRepository,
    LoginLockout,
    // Deny by default: every route of every module needs a valid access token unless @Public().
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
})
export class AuthModule {}
