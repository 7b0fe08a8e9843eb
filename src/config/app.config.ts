import { IsIn, IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { ToInteger } from './environment.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_PORT = 3000;

/** What every entry point shares: where it runs, its public address, how much it logs. */
export class AppEnvironment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  /** Links in emails are built from this, never from request headers. Default: http://localhost:$PORT */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  APP_PUBLIC_URL?: string;

  /** Read here only for the default of APP_PUBLIC_URL (the HTTP namespace validates it too). */
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = DEFAULT_PORT;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
}

export const appConfig = defineConfig('app', AppEnvironment, (env) => ({
  environment: env.NODE_ENV,
  isProduction: env.NODE_ENV === 'production',
  publicUrl: (env.APP_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
  logLevel: env.LOG_LEVEL,
}));
export type AppConfig = ConfigOf<typeof appConfig>;
