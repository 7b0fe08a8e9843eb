import { IsBoolean, IsInt, IsString, Matches, Max, Min, IsOptional } from 'class-validator';
import { DEFAULT_PORT } from './app.config.js';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { DURATION, DURATION_MESSAGE, durationToSeconds, ToBoolean, ToInteger } from './environment.js';

/** The HTTP server of the API: where it listens, what it accepts, whom it believes, how it stops. */
export class HttpEnvironment {
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = DEFAULT_PORT;

  @IsString()
  HOST = '0.0.0.0';

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

  /** How long an `Idempotency-Key` replays its first answer (and is refused for another request). */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  IDEMPOTENCY_KEY_TTL = '24h';

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

  /**
   * On SIGTERM, how long readiness fails before the server stops accepting: time for a load
   * balancer to notice, and for requests already on the wire to be read.
   */
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(60_000)
  SHUTDOWN_GRACE_MS = 1_000;

  /** Swagger UI at /docs and the document at /docs-json; `false` serves neither. */
  @ToBoolean()
  @IsBoolean()
  DOCS_ENABLED = true;
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

export const httpConfig = defineConfig('http', HttpEnvironment, (env) => ({
  port: env.PORT,
  host: env.HOST,
  bodyLimit: env.BODY_LIMIT,
  requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
  idempotencyKeyTtlSeconds: durationToSeconds(env.IDEMPOTENCY_KEY_TTL),
  corsOrigins: (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean),
  trustProxy: trustProxy(env.TRUST_PROXY),
  shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
  docsEnabled: env.DOCS_ENABLED,
}));
export type HttpConfig = ConfigOf<typeof httpConfig>;
