import { AUDIT_EVENT_TYPES, type AuditEventType } from '../audit/audit-event-types.js';

/**
 * The events a subscription may choose: every type the audit log records, so that a webhook is the
 * audit log pushed to another system, in the same words. A new audit type is a new webhook event
 * the day it ships (its payload is the event's, webhook-payload.ts).
 */
export const WEBHOOK_EVENT_TYPES: readonly AuditEventType[] = AUDIT_EVENT_TYPES;
export type WebhookEventType = AuditEventType;
