import { registerAs, type ConfigType } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { readEnvironment, ToInteger } from './environment.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export class AppEnvironment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Links in emails are built from this, never from request headers. */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  APP_PUBLIC_URL?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Largest accepted request body in bytes; larger ones get a 413. */
  @ToInteger()
  @IsInt()
  @Min(1024)
  @Max(10_000_000)
  BODY_LIMIT = 100_000;
}

export const appConfig = registerAs('app', () => {
  const env = readEnvironment(AppEnvironment);
  return {
    environment: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    publicUrl: (env.APP_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL,
    bodyLimit: env.BODY_LIMIT,
  };
});
export type AppConfig = ConfigType<typeof appConfig>;
