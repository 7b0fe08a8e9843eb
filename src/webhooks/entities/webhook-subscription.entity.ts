import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AUDIT_EVENT_TYPES } from '../../audit/audit-event-types.js';
import { sqlList } from '../../database/sql-list.js';
import { User } from '../../users/entities/user.entity.js';
import type { WebhookEventType } from '../webhook-event-types.js';

export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 200;
/** Enough for every system a deployment feeds; a bound on the fan-out of one event. */
export const MAX_WEBHOOK_SUBSCRIPTIONS = 50;
/** Why a subscription stopped: its receiver answered 410 Gone, or too many deliveries failed for good. */
export const WEBHOOK_DISABLED_REASONS = ['gone', 'failing'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

/**
 * An endpoint that receives the events it chose (src/webhooks/). Its signing secret is stored
 * sealed (AES-256-GCM under AUTH_KEY_ENCRYPTION_KEY, bound to the subscription's id): the server
 * must read it back to sign, so a hash would not do. After a rotation the previous secret signs too,
 * until `previousSecretExpiresAt`.
 */
@Entity({ name: 'webhook_subscriptions' })
@Check(
  'webhook_subscriptions_events_check',
  `cardinality(events) > 0 AND events <@ ARRAY[${sqlList(AUDIT_EVENT_TYPES)}]::text[]`,
)
@Check(
  'webhook_subscriptions_disabled_reason_check',
  `disabled_reason IS NULL OR disabled_reason IN (${sqlList(WEBHOOK_DISABLED_REASONS)})`,
)
export class WebhookSubscription {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: WEBHOOK_URL_MAX_LENGTH })
  url: string;

  @Column({ type: 'varchar', length: WEBHOOK_DESCRIPTION_MAX_LENGTH, nullable: true })
  description: string | null;

  @Column({ type: 'text', array: true })
  events: WebhookEventType[];

  @Column({ type: 'boolean' })
  enabled: boolean;

  /** Set when the server disabled it; null when enabled, or disabled by an admin. */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 16, nullable: true })
  disabledReason: WebhookDisabledReason | null;

  /** Deliveries that failed for good since the last that succeeded: at FAILURES_BEFORE_DISABLING it is disabled. */
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  @Column({ name: 'secret_sealed', type: 'text', select: false })
  secretSealed: string;

  @Column({ name: 'previous_secret_sealed', type: 'text', nullable: true, select: false })
  previousSecretSealed: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', precision: 3, nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'webhook_subscriptions_created_by_fkey' })
  creator?: User;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
