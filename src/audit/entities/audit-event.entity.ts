import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { sqlList } from '../../database/sql-list.js';
import { AUDIT_EVENT_TYPES, type AuditDetails, type AuditEventType } from '../audit-event-types.js';
import { IP_ADDRESS_MAX_LENGTH, USER_AGENT_MAX_LENGTH } from '../../common/http/client-info.js';

/**
 * One security event. No foreign keys: an event outlives the account and session it names (an
 * account's deletion is itself an event), until AUDIT_RETENTION_DAYS have passed.
 */
@Entity({ name: 'audit_events' })
@Check('audit_events_type_check', `type IN (${sqlList(AUDIT_EVENT_TYPES)})`)
// Keyset pagination, newest first: the whole log, and each filter the admins' list offers.
@Index('audit_events_occurred_at_id_idx', ['occurredAt', 'id'])
@Index('audit_events_subject_idx', ['subjectUserId', 'occurredAt', 'id'])
@Index('audit_events_actor_idx', ['actorUserId', 'occurredAt', 'id'])
@Index('audit_events_type_idx', ['type', 'occurredAt', 'id'])
// An organization's events, for its admins: only the events that name one are in it.
@Index('audit_events_organization_idx', ['organizationId', 'occurredAt', 'id'], {
  where: 'organization_id IS NOT NULL',
})
export class AuditEvent {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', precision: 3 })
  occurredAt: Date;

  @Column({ type: 'varchar', length: 40 })
  type: AuditEventType;

  /** Who did it: the signed-in caller, the user who signed in, or null (anonymous, the command line). */
  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId: string | null;

  /** Whose account it happened to; null for a failed login with an unknown email. */
  @Column({ name: 'subject_user_id', type: 'uuid', nullable: true })
  subjectUserId: string | null;

  /** The organization it happened in (src/organizations/), when it did. */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ name: 'ip_address', type: 'varchar', length: IP_ADDRESS_MAX_LENGTH, nullable: true })
  ipAddress: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: USER_AGENT_MAX_LENGTH, nullable: true })
  userAgent: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  /** The W3C trace id (32 hex digits) when tracing is on. */
  @Column({ name: 'trace_id', type: 'varchar', length: 32, nullable: true })
  traceId: string | null;

  @Column({ type: 'jsonb' })
  details: AuditDetails;
}
