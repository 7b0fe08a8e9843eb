import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { sqlList } from '../../database/sql-list.js';
import type { WebhookEventType } from '../webhook-event-types.js';
import { WebhookSubscription } from './webhook-subscription.entity.js';

/**
 * `pending`: its job is queued, running or waiting to retry. `waiting`: an earlier delivery of the
 * same account's events to the same subscription is still pending, so this one has no job yet (the
 * earlier one's end queues it). `succeeded`, `failed`: settled.
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'waiting', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
export const WEBHOOK_ERROR_MAX_LENGTH = 200;

/**
 * One event for one subscription: its body is fixed when it is made, so every attempt sends the
 * same bytes under the same `webhook-id` (the delivery's id) and a receiver can de-duplicate.
 * `sequence` is the order the dispatcher made them in, the order each account's events are sent.
 */
@Entity({ name: 'webhook_deliveries' })
@Check('webhook_deliveries_status_check', `status IN (${sqlList(WEBHOOK_DELIVERY_STATUSES)})`)
@Index('webhook_deliveries_subscription_created_at_idx', ['subscriptionId', 'createdAt', 'id'])
// The unsettled deliveries of one account to one subscription, in order: the ordering's lookups.
@Index('webhook_deliveries_unsettled_idx', ['subscriptionId', 'orderingKey', 'sequence'], {
  where: "status IN ('pending', 'waiting')",
})
@Index('webhook_deliveries_settled_at_idx', ['settledAt'], { where: 'settled_at IS NOT NULL' })
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({
    type: 'bigint',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
    select: false,
    insert: false,
  })
  sequence?: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId: string;

  @ManyToOne(() => WebhookSubscription, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'subscription_id',
    foreignKeyConstraintName: 'webhook_deliveries_subscription_id_fkey',
  })
  subscription?: WebhookSubscription;

  /** The audit event it tells of. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 40 })
  eventType: WebhookEventType;

  /** The account whose events keep their order (the event's subject); null: no order to keep. */
  @Column({ name: 'ordering_key', type: 'uuid', nullable: true })
  orderingKey: string | null;

  /** The JSON body, as sent. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'varchar', length: 16 })
  status: WebhookDeliveryStatus;

  /** Attempts started (a worker that died during one counts it). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'last_latency_ms', type: 'integer', nullable: true })
  lastLatencyMs: number | null;

  /** Why the last attempt failed, in a few words (never the receiver's body). */
  @Column({ name: 'last_error', type: 'varchar', length: WEBHOOK_ERROR_MAX_LENGTH, nullable: true })
  lastError: string | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', precision: 3, nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'settled_at', type: 'timestamptz', precision: 3, nullable: true })
  settledAt: Date | null;
}
