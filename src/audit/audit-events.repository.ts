import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { ReplicaReads } from '../database/replica-reads.js';
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
  types?: AuditEventType[];
  /** Events at or after this time. */
  since?: Date;
  /** Events before this time. */
  until?: Date;
}

/** The SQL of `audit_events`: one insert per event, and reads that walk its indexes. */
@Injectable()
export class AuditEventsRepository {
  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly replicas: ReplicaReads,
  ) {}

  /** In the caller's transaction when given, so that the event commits with its change or not at all. */
  async insert(event: AuditEvent, transaction?: Transaction): Promise<void> {
    await (transaction?.getRepository(AuditEvent) ?? this.events).insert(event);
  }

  /**
   * One page, newest first: `limit` events after `after` (one more tells whether a page follows).
   * On a replica when there is one: an event a moment old may be missing from the first page.
   */
  findPage(filter: AuditFilter, after: AuditPosition | undefined, limit: number): Promise<AuditEvent[]> {
    return this.replicas.run((manager) => this.page(manager, filter, after, limit));
  }

  private page(
    manager: EntityManager,
    filter: AuditFilter,
    after: AuditPosition | undefined,
    limit: number,
  ): Promise<AuditEvent[]> {
    const query = manager.getRepository(AuditEvent).createQueryBuilder('e');
    if (filter.subjectUserId)
      query.andWhere('e.subject_user_id = :subject', { subject: filter.subjectUserId });
    if (filter.actorUserId) query.andWhere('e.actor_user_id = :actor', { actor: filter.actorUserId });
    if (filter.types?.length) query.andWhere('e.type IN (:...types)', { types: filter.types });
    if (filter.since) query.andWhere('e.occurred_at >= :since', { since: filter.since });
    if (filter.until) query.andWhere('e.occurred_at < :until', { until: filter.until });
    if (after)
      query.andWhere('(e.occurred_at, e.id) < (:afterAt, :afterId)', {
        afterAt: after.occurredAt,
        afterId: after.id,
      });
    return query.orderBy('e.occurred_at', 'DESC').addOrderBy('e.id', 'DESC').limit(limit).getMany();
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
