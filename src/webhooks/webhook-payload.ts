import type { AuditEvent } from '../audit/entities/audit-event.entity.js';

/**
 * The body of a delivery: the audit event in Standard Webhooks' envelope (`type`, `timestamp`,
 * `data`). What the event says of the account (its id, who acted, the organization, the event's
 * details) and nothing of the request it came from: no address, user agent or session.
 */
export interface WebhookPayload {
  type: AuditEvent['type'];
  timestamp: string;
  data: {
    eventId: string;
    userId: string | null;
    actorUserId: string | null;
    organizationId: string | null;
    details: AuditEvent['details'];
  };
}

export function webhookPayload(event: AuditEvent): string {
  const payload: WebhookPayload = {
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: {
      eventId: event.id,
      userId: event.subjectUserId,
      actorUserId: event.actorUserId,
      organizationId: event.organizationId,
      details: event.details,
    },
  };
  return JSON.stringify(payload);
}
