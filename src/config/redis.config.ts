import { registerAs, type ConfigType } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { readEnvironment } from './environment.js';

export class RedisEnvironment {
  /** Unset: rate-limit state stays in the process. Set it when running several instances. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;
}

export const redisConfig = registerAs('redis', () => ({ url: readEnvironment(RedisEnvironment).REDIS_URL }));
export type RedisConfig = ConfigType<typeof redisConfig>;
