import { IsOptional, IsString, MinLength } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';

export class MetricsEnvironment {
  /** When set, GET /metrics needs it as a Bearer token. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;
}

export const metricsConfig = defineConfig('metrics', MetricsEnvironment, (env) => ({
  token: env.METRICS_TOKEN,
}));
export type MetricsConfig = ConfigOf<typeof metricsConfig>;
