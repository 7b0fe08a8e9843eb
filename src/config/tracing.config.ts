import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { readEnvironment, ToBoolean, ToInteger, type Environment } from './environment.js';

const OTLP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * OpenTelemetry tracing, in the standard `OTEL_*` variables. Read by `src/telemetry/tracing.ts`
 * before anything else loads (instrumentation must patch modules before the app imports them), so it
 * is not a namespace of the Nest configuration; validated the same way.
 */
export class TracingEnvironment {
  /** The collector's OTLP/HTTP base address (`/v1/traces` is appended). Unset: no tracing, nothing of it loaded. */
  @IsOptional()
  @IsUrl(OTLP_URL)
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** The traces endpoint itself, used as given (wins over OTEL_EXPORTER_OTLP_ENDPOINT). */
  @IsOptional()
  @IsUrl(OTLP_URL)
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** `true` turns tracing off even with an endpoint. */
  @ToBoolean()
  @IsBoolean()
  OTEL_SDK_DISABLED = false;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  OTEL_SERVICE_NAME = 'gatehouse';

  /** Spans waiting for export at most; more are dropped and counted (`tracing_spans_dropped_total`). */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  OTEL_BSP_MAX_QUEUE_SIZE = 2048;

  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(100_000)
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE = 512;

  /** Milliseconds between exports. */
  @ToInteger()
  @IsInt()
  @Min(10)
  @Max(600_000)
  OTEL_BSP_SCHEDULE_DELAY = 5000;

  /** Milliseconds an export may take before its spans count as dropped. */
  @ToInteger()
  @IsInt()
  @Min(100)
  @Max(600_000)
  OTEL_BSP_EXPORT_TIMEOUT = 30_000;
}

export interface TracingSettings {
  serviceName: string;
  /** The full address spans are posted to. */
  tracesUrl: string;
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduleDelayMs: number;
  exportTimeoutMs: number;
}

/** The tracing to start, or null when no endpoint is set (or OTEL_SDK_DISABLED). */
export function tracingSettings(env?: Environment): TracingSettings | null {
  const e = readEnvironment(TracingEnvironment, env);
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const tracesUrl = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base && `${base}/v1/traces`);
  if (!tracesUrl || e.OTEL_SDK_DISABLED) return null;
  return {
    serviceName: e.OTEL_SERVICE_NAME,
    tracesUrl,
    maxQueueSize: e.OTEL_BSP_MAX_QUEUE_SIZE,
    maxExportBatchSize: Math.min(e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, e.OTEL_BSP_MAX_QUEUE_SIZE),
    scheduleDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
    exportTimeoutMs: e.OTEL_BSP_EXPORT_TIMEOUT,
  };
}
