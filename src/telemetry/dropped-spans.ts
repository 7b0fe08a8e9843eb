/**
 * The diagnostics channel on which the tracing pipeline (loaded before the app, outside Nest) tells
 * how many spans it dropped, and why; `TracingMetrics` counts them for Prometheus.
 */
export const DROPPED_SPANS_CHANNEL = 'gatehouse:tracing:spans-dropped';

export interface DroppedSpans {
  count: number;
  /** `queue-full`: the collector is slower than the app; `export-failed`: it is down or refused them. */
  reason: 'queue-full' | 'export-failed';
}
