import {
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter } from 'prom-client';
import { Metrics } from '../metrics/metrics.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DROPPED_SPANS_CHANNEL, type DroppedSpans } from './dropped-spans.js';

/**
 * What the tracing pipeline (started before Nest, src/telemetry/tracing.ts) tells the app: spans it
 * dropped, counted as `tracing_spans_dropped_total{reason}`; zero forever while tracing is off.
 */
@Injectable()
export class TracingMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly dropped: Counter<'reason'>;
  private readonly listener = (message: unknown) => {
    const { count, reason } = message as DroppedSpans;
    this.dropped.inc({ reason }, count);
  };

  constructor(metrics: Metrics) {
    this.dropped = new Counter({
      name: 'tracing_spans_dropped_total',
      help: 'Spans the tracing pipeline dropped: queue-full (the collector is slower than the app) or export-failed (it is down or refused them).',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    subscribe(DROPPED_SPANS_CHANNEL, this.listener);
  }

  onModuleDestroy(): void {
    unsubscribe(DROPPED_SPANS_CHANNEL, this.listener);
  }
}

/** The SDK's tracer provider, once tracing.ts registered one; null while tracing is off. */
function sdkProvider(): { forceFlush(): Promise<void> } | null {
  const provider = trace.getTracerProvider();
  const delegate: object = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return 'forceFlush' in delegate && typeof delegate.forceFlush === 'function'
    ? (delegate as { forceFlush(): Promise<void> })
    : null;
}

/**
 * Names each request's server span after its route (`GET /api/v1/users/:id`, and `http.route`), as
 * the HTTP conventions ask: the http instrumentation sees only the path. No hook while tracing is off.
 */
@Injectable()
export class TracedRoutes implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || !sdkProvider()) return;
    fastify.addHook('onRequest', (request, _reply, done) => {
      const span = trace.getActiveSpan();
      const route = request.routeOptions.url;
      if (route && span?.isRecording()) {
        span.setAttribute('http.route', route);
        span.updateName(`${request.method} ${route}`);
      }
      done();
    });
  }
}

/** How long a shutdown waits for the last export: a collector that is down must not hold the exit. */
const FLUSH_BUDGET_MS = 3000;

/** Exports the spans still queued before the process exits (a no-op while tracing is off). */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    const provider = sdkProvider();
    if (!provider) return;
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_BUDGET_MS)));
    await Promise.race([provider.forceFlush(), budget]);
    clearTimeout(timer);
  }
}

/** The app's side of tracing: its metric, route names, and the last export at shutdown. The API and the worker import it. */
@Module({ imports: [MetricsModule], providers: [TracingMetrics, TracedRoutes, TracingFlush] })
export class TelemetryModule {}
