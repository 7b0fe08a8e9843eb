import { context, propagation } from '@opentelemetry/api';
import type { Origin, RequestContext } from '../common/request-context.js';

/**
 * What a job carries beside its data: the origin of the request that queued it (the audit log
 * records a job's events as that request's) and its W3C trace context (the job's span continues
 * that request's trace when tracing is on).
 */
export interface Envelope {
  $origin?: Origin;
  $trace?: Record<string, string>;
}

/** The envelope of a job queued now, by the request (or job, or command) running. */
export function envelopeFor(requestContext: RequestContext): Envelope {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const envelope: Envelope = { $origin: requestContext.origin() };
  if (Object.keys(carrier).length > 0) envelope.$trace = carrier;
  return envelope;
}

/** A job's own data, as its handler saw it: without where it came from or its trace context. */
export function withoutEnvelope(data: object): object {
  const { $origin: _origin, $trace: _trace, ...own } = data as Envelope & object;
  return own;
}
