import { trace } from '@opentelemetry/api';

/**
 * The W3C trace id of the work being done, when it is traced (src/telemetry/tracing.ts loaded the
 * SDK and a span is active); null otherwise. @opentelemetry/api alone records nothing and costs a
 * lookup: without the SDK every span is a no-op whose context is invalid.
 */
export function currentTraceId(): string | null {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? context.traceId : null;
}

/** `{ traceId }` when the work is traced, `{}` otherwise: for a log line or a problem. */
export function traceIdField(): { traceId?: string } {
  const traceId = currentTraceId();
  return traceId ? { traceId } : {};
}
