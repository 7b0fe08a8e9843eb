import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { PreparedStatement } from '../database/database-pool.js';
import { ReplicaReads } from '../database/replica-reads.js';
import { selectColumns } from '../database/select-columns.js';
import type { Transaction } from '../database/transactions.js';
import type { AuditEventType } from './audit-event-types.js';
import { AuditEvent } from './entities/audit-event.entity.js';

/** A position in the log: the last event of a page (keyset pagination on `(occurred_at, id)`). */
export interface AuditPosition {
  occurredAt: Date;
  id: string;
}

/** What the admins' list narrows the log to; every member is optional, all given must hold. */
export interface AuditFilter {
  subjectUserId?: string;
  actorUserId?: string;
  organizationId?: string;
  types?: AuditEventType[];
  /** Events at or after this time. */
  since?: Date;
  /** Events before this time. */
  until?: Date;
}

/**
 * The SQL of `audit_events`: one insert per event, and reads that walk its indexes. The admins'
 * list is a prepared statement (the data-access rule of docs/architecture.md; bench/README.md).
 */
@Injectable()
export class AuditEventsRepository {
  private readonly select: string;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly replicas: ReplicaReads,
  ) {
    this.select = selectColumns(events.metadata, 'e');
  }

  /** In the caller's transaction when given, so that the event commits with its change or not at all. */
  async insert(event: AuditEvent, transaction?: Transaction): Promise<void> {
    await (transaction?.getRepository(AuditEvent) ?? this.events).insert(event);
  }

  /**
   * One page, newest first: `limit` events after `after` (one more tells whether a page follows).
   * On a replica when there is one: an event a moment old may be missing from the first page.
   */
  findPage(filter: AuditFilter, after: AuditPosition | undefined, limit: number): Promise<AuditEvent[]> {
    const where: string[] = [];
    const keys: string[] = [];
    const values: unknown[] = [];
    /** `condition` with its `?`s numbered $n, $n+1, … after the values before it. */
    const when = (key: string, condition: string, ...given: unknown[]) => {
      let n = values.length;
      where.push(condition.replaceAll('?', () => `$${++n}`));
      keys.push(key);
      values.push(...given);
    };
    if (filter.subjectUserId) when('subject', 'e.subject_user_id = ?', filter.subjectUserId);
    if (filter.actorUserId) when('actor', 'e.actor_user_id = ?', filter.actorUserId);
    if (filter.organizationId) when('organization', 'e.organization_id = ?', filter.organizationId);
    if (filter.types?.length) when('types', 'e.type = ANY(?)', filter.types);
    if (filter.since) when('since', 'e.occurred_at >= ?', filter.since);
    if (filter.until) when('until', 'e.occurred_at < ?', filter.until);
    if (after) when('after', '(e.occurred_at, e.id) < (?, ?)', after.occurredAt, after.id);
    values.push(limit);
    // One statement per set of filters (128 at most), named after it: its text depends on nothing else.
    const page: PreparedStatement = {
      name: ['audit_page', ...keys].join('_'),
      text: `SELECT ${this.select} FROM audit_events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.occurred_at DESC, e.id DESC LIMIT $${values.length}`,
    };
    return this.replicas.prepared<AuditEvent>(page, values);
  }

  /** Events in `[since, until)` after `after`, oldest first: what an export reads batch by batch. */
  findRange(
    since: Date,
    until: Date,
    after: AuditPosition | undefined,
    limit: number,
  ): Promise<AuditEvent[]> {
    const query = this.events
      .createQueryBuilder('e')
      .where('e.occurred_at >= :since AND e.occurred_at < :until', { since, until });
    if (after)
      query.andWhere('(e.occurred_at, e.id) > (:afterAt, :afterId)', {
        afterAt: after.occurredAt,
        afterId: after.id,
      });
    return query.orderBy('e.occurred_at', 'ASC').addOrderBy('e.id', 'ASC').limit(limit).getMany();
  }

  /** One batch of the retention job: events older than `before`, oldest first. */
  async purgeOlderThan(before: Date, limit: number): Promise<number> {
    const { affected } = await this.events
      .createQueryBuilder()
      .delete()
      .where(
        'id IN (SELECT id FROM audit_events WHERE occurred_at < :before ORDER BY occurred_at LIMIT :limit)',
        { before, limit },
      )
      .execute();
    return affected ?? 0;
  }
}
