import { IsOptional, Matches } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';

export class RedisEnvironment {
  /** Unset: rate-limit state stays in the process. Set it when running several instances. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;
}

export const redisConfig = defineConfig('redis', RedisEnvironment, (env) => ({ url: env.REDIS_URL }));
export type RedisConfig = ConfigOf<typeof redisConfig>;
