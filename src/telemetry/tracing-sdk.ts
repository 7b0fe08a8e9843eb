import { channel } from 'node:diagnostics_channel';
import { register } from 'node:module';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import type { TracingSettings } from '../config/tracing.config.js';
import { BoundedSpanProcessor } from './bounded-span-processor.js';
import { DROPPED_SPANS_CHANNEL, type DroppedSpans } from './dropped-spans.js';

/** Probes and scrapes: a trace each would bury the requests that matter. */
const UNTRACED = /^\/(health|metrics)\b/;

/**
 * Starts the OpenTelemetry SDK: the maintained instrumentations of what a request goes through
 * (http, pg, ioredis, undici), W3C trace context in and out (the SDK's default propagators), and
 * spans exported over OTLP/HTTP (JSON) in bounded batches, and nothing else over OTLP. The ESM loader hook of
 * import-in-the-middle is registered first, limited to the modules the instrumentations name.
 *
 * Two maintained ones are left out: Fastify's own (@fastify/otel 0.21 depends on
 * @opentelemetry/core 2.x, which refuses the API 1.10 this SDK needs) and Nest's (0.71 patches
 * @nestjs/core below 12 only). The route a framework span would have named is put on the server
 * span by `TracedRoutes` (telemetry.module.ts).
 */
export async function startTracing(settings: TracingSettings): Promise<void> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const dropped = channel(DROPPED_SPANS_CHANNEL);
  const processor = new BoundedSpanProcessor(
    new OTLPTraceExporter({ url: settings.tracesUrl, timeoutMillis: settings.exportTimeoutMs }),
    settings,
    (count: DroppedSpans) => dropped.publish(count),
  );
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    spanProcessors: [processor],
    // Traces only. Without these the SDK also builds OTLP exporters of metrics and logs from the
    // environment (its defaults), and every instrumentation then records histograms per request
    // and per query: ~33 µs of a `me` request in sdk-metrics alone, with tracing sampled at 10%.
    // Metrics are Prometheus's (/metrics); logs are stdout's.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED.test(request.url ?? ''),
        // The exporter's own posts to the collector are not traced.
        ignoreOutgoingRequestHook: () => true,
      }),
      // Only inside a trace: pg-boss's polling and pool checks would each start one. A span for
      // each checkout from the pool doubles the spans of a query and says little.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
}
