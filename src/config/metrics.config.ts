import { IsDefined, IsInt, IsOptional, IsString, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { ToInteger } from './environment.js';

export class MetricsEnvironment {
  /** Read here only to close /metrics in production. */
  NODE_ENV?: string;

  /**
   * When set, GET /metrics needs it as a Bearer token. Production needs it, or METRICS_PORT: a public
   * /metrics tells strangers what the app is doing (job outcomes once told whether an address has an
   * account).
   */
  @ValidateIf(
    (env: MetricsEnvironment) =>
      env.METRICS_TOKEN !== undefined || (env.NODE_ENV === 'production' && env.METRICS_PORT === undefined),
  )
  @IsDefined({ message: 'is required in production unless METRICS_PORT serves the metrics apart' })
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  /**
   * When set, the metrics are served on this port only (GET /metrics, no token), for a scraper on a
   * private network, and the public port has no /metrics.
   */
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  /**
   * The address METRICS_PORT listens on: this host only by default, so that the unauthenticated
   * port is not open to whoever reaches the machine; `0.0.0.0` where a network policy guards it
   * (the Kubernetes overlay).
   */
  @IsString()
  @MinLength(1)
  METRICS_HOST = '127.0.0.1';
}

export const metricsConfig = defineConfig('metrics', MetricsEnvironment, (env) => ({
  token: env.METRICS_TOKEN,
  port: env.METRICS_PORT,
  host: env.METRICS_HOST,
}));
export type MetricsConfig = ConfigOf<typeof metricsConfig>;
