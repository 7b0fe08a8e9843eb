import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { encodeCursor, positionAfter } from '../common/pagination/keyset-cursor.js';
import { RequestContext } from '../common/request-context.js';
import type { Transaction } from '../database/transactions.js';
import { currentTraceId } from '../common/trace-id.js';
import type { AuditDetails, AuditEventType } from './audit-event-types.js';
import { AuditEventsRepository, type AuditFilter, type AuditPosition } from './audit-events.repository.js';
import type { AuditEvent } from './entities/audit-event.entity.js';
import { EventIds } from './event-ids.js';

/** An event as the code that records it says it: what happened, to whom, and what else is worth saying. */
export interface AuditRecord {
  type: AuditEventType;
  /** Whose account; null when there is none (a failed login with an unknown email). */
  subjectUserId: string | null;
  /** Who did it, when it is not the signed-in caller of the request (a login, whose caller has no session yet). */
  actorUserId?: string | null;
  /** The session it concerns, when it is not the caller's. */
  sessionId?: string | null;
  /** The organization it happened in: its admins list it (`GET /organizations/{id}/audit-events`). */
  organizationId?: string;
  details?: AuditDetails;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

/** How many events an export reads per statement. */
const EXPORT_BATCH = 1000;

/**
 * The audit log (`audit_events`): the security events of every account, for the admins, for each
 * person's own security page, and for a SIEM (`npm run cli -- audit-export`). An event is recorded
 * in the transaction of the change it records, so a change that rolls back leaves no event and a
 * committed one always has its event. Where it came from (the address, user agent, request, trace and
 * signed-in caller) is read from the request being served, or, in a job, from the request that
 * queued it (RequestContext).
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly events: AuditEventsRepository,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly ids: EventIds,
  ) {}

  async record(record: AuditRecord, transaction?: Transaction): Promise<void> {
    await this.events.insert(this.describe(record), transaction);
  }

  /**
   * The row `record` writes: the event with its id, time and origin. For a hot statement that
   * inserts it itself (audit-event-insert.ts), in the same round trip as its change.
   */
  describe(record: AuditRecord): AuditEvent {
    const origin = this.context.origin();
    const occurredAt = this.clock.now();
    return {
      id: this.ids.next(occurredAt),
      occurredAt,
      type: record.type,
      actorUserId: record.actorUserId !== undefined ? record.actorUserId : origin.actorUserId,
      subjectUserId: record.subjectUserId,
      organizationId: record.organizationId ?? null,
      sessionId: record.sessionId !== undefined ? record.sessionId : origin.sessionId,
      ipAddress: origin.ipAddress,
      userAgent: origin.userAgent,
      requestId: origin.requestId,
      traceId: currentTraceId(),
      details: {
        ...record.details,
        ...(origin.via === 'cli' ? { via: 'cli' } : {}),
        ...(origin.apiKeyId ? { apiKeyId: origin.apiKeyId } : {}),
      },
    };
  }

  /** A page of the log, newest first, narrowed by `filter`. */
  async list(filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<AuditPage> {
    const cursor = positionAfter(page.cursor);
    const after = cursor && { occurredAt: cursor.createdAt, id: cursor.id };
    const rows = await this.events.findPage(filter, after, page.limit + 1);
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    const more = rows.length > page.limit && last;
    return { items, nextCursor: more ? encodeCursor({ createdAt: last.occurredAt, id: last.id }) : null };
  }

  /** Every event in `[since, until)`, oldest first, a batch at a time: for an export of any size. */
  async *range(since: Date, until: Date): AsyncGenerator<AuditEvent> {
    let after: AuditPosition | undefined;
    for (;;) {
      const batch = await this.events.findRange(since, until, after, EXPORT_BATCH);
      yield* batch;
      if (batch.length < EXPORT_BATCH) return;
      const last = batch[batch.length - 1];
      after = { occurredAt: last.occurredAt, id: last.id };
    }
  }
}
