import {
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
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

/** How long a shutdown waits for the last export: a collector that is down must not hold the exit. */
const FLUSH_BUDGET_MS = 3000;

/** Exports the spans still queued before the process exits (a no-op while tracing is off). */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    const provider = trace.getTracerProvider();
    const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
    if (!('forceFlush' in delegate) || typeof delegate.forceFlush !== 'function') return;
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_BUDGET_MS)));
    await Promise.race([(delegate.forceFlush as () => Promise<void>)(), budget]);
    clearTimeout(timer);
  }
}

/** The app's side of tracing: its metric, and the last export at shutdown. The API and the worker import it. */
@Module({ imports: [MetricsModule], providers: [TracingMetrics, TracingFlush] })
export class TelemetryModule {}
