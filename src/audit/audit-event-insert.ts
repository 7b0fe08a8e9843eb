import type { AuditEvent } from './entities/audit-event.entity.js';

/**
 * The audit module's INSERT, for the one statement of a hot change that records its event in the
 * same round trip (a login's session, sessions.repository.ts; bench/README.md has the figure). It is
 * a data-modifying CTE named `name`: the event's values are parameters from `$first` on, in the
 * order `auditEventParameters` gives them, and its session is the `id` of the statement's CTE
 * `source`, which inserts one row or none (no session, no event).
 */
export function auditEventInsertCte(name: string, source: string, first: number): string {
  const p = (offset: number) => `$${first + offset}`;
  return `${name} AS (
    INSERT INTO audit_events (id, occurred_at, type, actor_user_id, subject_user_id, session_id,
                              ip_address, user_agent, request_id, trace_id, details)
    SELECT ${p(0)}::uuid, ${p(1)}::timestamptz, ${p(2)}::varchar, ${p(3)}::uuid, ${p(4)}::uuid, ${source}.id,
           ${p(5)}::varchar, ${p(6)}::varchar, ${p(7)}::varchar, ${p(8)}::varchar, ${p(9)}::jsonb
      FROM ${source}
  )`;
}

/** The event's values for `auditEventInsertCte`, its session left to the statement. */
export function auditEventParameters(event: AuditEvent): unknown[] {
  return [
    event.id,
    event.occurredAt,
    event.type,
    event.actorUserId,
    event.subjectUserId,
    event.ipAddress,
    event.userAgent,
    event.requestId,
    event.traceId,
    JSON.stringify(event.details),
  ];
}
