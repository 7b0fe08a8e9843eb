import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { LoginLockout } from './login-lockout.js';

/** The per-address lock on password checks, apart so that the CLI can lift one without the rest of auth. */
@Module({ imports: [RedisModule], providers: [LoginLockout], exports: [LoginLockout] })
export class LoginLockModule {}
