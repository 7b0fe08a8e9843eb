import { Entity, PrimaryColumn } from 'typeorm';

/**
 * An audit event some enabled subscription wants, not yet turned into deliveries. A trigger on
 * `audit_events` writes it (migration 1796666048842-Webhooks), so it exists if, and only if, the
 * transaction that recorded the event commits, whatever statement recorded it; the dispatcher
 * (webhook-dispatcher.ts) deletes it as it makes the event's deliveries.
 */
@Entity({ name: 'webhook_outbox' })
export class WebhookOutboxEntry {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;
}
