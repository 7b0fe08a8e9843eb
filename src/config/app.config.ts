import { registerAs, type ConfigType } from '@nestjs/config';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { readEnvironment, ToBoolean, ToInteger } from './environment.js';

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

  /** A request whose headers and body have not all arrived after this long gets a 408 (slow clients). */
  @ToInteger()
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 30_000;

  /** Comma-separated origins allowed by CORS, e.g. `https://app.example.com`. Unset: none. */
  @IsOptional()
  @Matches(/^\s*https?:\/\/[^\s,/]+\s*(,\s*https?:\/\/[^\s,/]+\s*)*$/, {
    message: '$property must be a comma-separated list of origins such as https://app.example.com',
  })
  CORS_ORIGINS?: string;

  /**
   * Whom to believe about the client's address (X-Forwarded-For): `false` (nobody, the default),
   * `true` (any proxy), a hop count, or a comma-separated list of proxy addresses or CIDRs.
   */
  @Matches(/^(true|false|\d+|[\d.:a-fA-F/]+(\s*,\s*[\d.:a-fA-F/]+)*)$/, {
    message: '$property must be true, false, a hop count or a list of proxy addresses',
  })
  TRUST_PROXY = 'false';

  @ToBoolean()
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  /**
   * On SIGTERM, how long readiness fails before the server stops accepting: time for a load
   * balancer to notice, and for requests already on the wire to be read.
   */
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(60_000)
  SHUTDOWN_GRACE_MS = 1_000;

  /** When set, GET /metrics needs it as a Bearer token. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  /** Requests per client address per minute, on routes without a budget of their own. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Login attempts per client address per minute. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_PER_MINUTE = 10;

  /** Sign-ups per client address per hour. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_SIGNUP_PER_HOUR = 20;

  /** Account emails (verification resends, password resets) asked for per client address per hour. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_EMAIL_PER_HOUR = 20;

  /** Account emails asked for per account (or per email address, for resets) per hour. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR = 5;
}

/** In the shape Fastify takes: a hop count becomes "trust the first n hops". */
function trustProxy(value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value.split(',').map((part) => part.trim());
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
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    trustProxy: trustProxy(env.TRUST_PROXY),
    metricsToken: env.METRICS_TOKEN,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    rateLimit: {
      enabled: env.RATE_LIMIT_ENABLED,
      perMinute: env.RATE_LIMIT_PER_MINUTE,
      loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE,
      signupPerHour: env.RATE_LIMIT_SIGNUP_PER_HOUR,
      emailPerHour: env.RATE_LIMIT_EMAIL_PER_HOUR,
      emailPerAccountPerHour: env.RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR,
    },
  };
});
export type AppConfig = ConfigType<typeof appConfig>;
