import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { AuditEvent } from '../audit/entities/audit-event.entity.js';
import type { KeysetPosition } from '../common/pagination/keyset-cursor.js';
import type { Transaction } from '../database/transactions.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';

export type NewDelivery = Pick<
  WebhookDelivery,
  'subscriptionId' | 'eventId' | 'eventType' | 'orderingKey' | 'payload' | 'status' | 'createdAt'
>;

/** What one attempt found, for the delivery's row. */
export interface AttemptRecord {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * The SQL of `webhook_deliveries` and of the outbox it is made from. The ordering of one account's
 * deliveries to one subscription is kept under a transaction-scoped advisory lock on that pair,
 * taken by whoever makes a delivery of it and whoever settles one (`lockOrdering`): so a delivery
 * made `waiting` behind an unsettled one is always seen by that one's settling.
 */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>) {}

  /** Whether the outbox has anything: the dispatcher's cheap look before it opens a transaction. */
  async outboxHasEvents(): Promise<boolean> {
    const [row]: { found: boolean }[] = await this.deliveries.query(
      'SELECT EXISTS (SELECT 1 FROM webhook_outbox) AS found',
    );
    return row.found;
  }

  /** Whether this transaction is the one dispatcher of the moment (held until it ends). */
  async becomeDispatcher(transaction: Transaction): Promise<boolean> {
    const [row]: { taken: boolean }[] = await transaction.query(
      `SELECT pg_try_advisory_xact_lock(hashtextextended('gatehouse webhook dispatcher', 0)) AS taken`,
    );
    return row.taken;
  }

  /** Takes up to `limit` events off the outbox, oldest first. */
  async takeFromOutbox(limit: number, transaction: Transaction): Promise<AuditEvent[]> {
    const [taken]: [{ event_id: string }[], number] = await transaction.query(
      `DELETE FROM webhook_outbox WHERE event_id IN (
         SELECT event_id FROM webhook_outbox ORDER BY event_id LIMIT $1
       ) RETURNING event_id`,
      [limit],
    );
    if (taken.length === 0) return [];
    return transaction.getRepository(AuditEvent).find({
      where: { id: In(taken.map((row) => row.event_id)) },
      order: { occurredAt: 'ASC', id: 'ASC' },
    });
  }

  /** Serializes the making and settling of one account's deliveries to one subscription. */
  async lockOrdering(pairs: { subscriptionId: string; orderingKey: string }[], transaction: Transaction) {
    if (pairs.length === 0) return;
    const keys = [...new Set(pairs.map((p) => `${p.subscriptionId}/${p.orderingKey}`))].toSorted();
    await transaction.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k ORDER BY k`,
      [keys],
    );
  }

  /** Of these pairs, those that have an unsettled delivery (`subscriptionId/orderingKey`). */
  async unsettledPairs(
    pairs: { subscriptionId: string; orderingKey: string }[],
    transaction: Transaction,
  ): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const rows: { pair: string }[] = await transaction.query(
      `SELECT DISTINCT d.subscription_id || '/' || d.ordering_key AS pair
         FROM webhook_deliveries d
         JOIN unnest($1::uuid[], $2::uuid[]) AS p(subscription_id, ordering_key)
           ON d.subscription_id = p.subscription_id AND d.ordering_key = p.ordering_key
        WHERE d.status IN ('pending', 'waiting')`,
      [pairs.map((p) => p.subscriptionId), pairs.map((p) => p.orderingKey)],
    );
    return new Set(rows.map((row) => row.pair));
  }

  /** Inserts them in this order (their `sequence`); returns their ids, in the same order. */
  async insert(deliveries: NewDelivery[], transaction: Transaction): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const result = await transaction.getRepository(WebhookDelivery).insert(deliveries);
    return result.identifiers.map((identifier) => identifier.id as string);
  }

  findById(id: string): Promise<WebhookDelivery | null> {
    return this.deliveries.findOneBy({ id });
  }

  findOf(subscriptionId: string, id: string): Promise<WebhookDelivery | null> {
    return this.deliveries.findOneBy({ subscriptionId, id });
  }

  /** Counts the attempt as started, before it is made: a worker that dies during it has spent it. */
  async startAttempt(id: string, at: Date): Promise<number | null> {
    const [rows]: [{ attempts: number }[], number] = await this.deliveries.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $2
        WHERE id = $1 AND status = 'pending' RETURNING attempts`,
      [id, at],
    );
    return rows[0]?.attempts ?? null;
  }

  /** What an attempt that will be retried found. */
  async recordAttempt(id: string, attempt: AttemptRecord): Promise<void> {
    await this.deliveries.update(
      { id, status: 'pending' },
      { lastStatusCode: attempt.statusCode, lastLatencyMs: attempt.latencyMs, lastError: attempt.error },
    );
  }

  /** Settles a pending delivery; false when it was not pending (settled by another attempt). */
  async settle(
    id: string,
    status: 'succeeded' | 'failed',
    attempt: AttemptRecord,
    at: Date,
    transaction: Transaction,
  ): Promise<boolean> {
    const { affected } = await transaction.getRepository(WebhookDelivery).update(
      { id, status: 'pending' },
      {
        status,
        settledAt: at,
        lastStatusCode: attempt.statusCode,
        lastLatencyMs: attempt.latencyMs,
        lastError: attempt.error,
      },
    );
    return (affected ?? 0) > 0;
  }

  /** The next waiting delivery of the pair becomes pending; its id, or null when none waits. */
  async promoteNext(
    subscriptionId: string,
    orderingKey: string,
    transaction: Transaction,
  ): Promise<string | null> {
    const [rows]: [{ id: string }[], number] = await transaction.query(
      `UPDATE webhook_deliveries SET status = 'pending'
        WHERE id = (SELECT id FROM webhook_deliveries
                     WHERE subscription_id = $1 AND ordering_key = $2 AND status = 'waiting'
                     ORDER BY sequence LIMIT 1)
        RETURNING id`,
      [subscriptionId, orderingKey],
    );
    return rows[0]?.id ?? null;
  }

  /** A settled delivery made pending again for a new round of attempts; false when it was not settled. */
  async reopen(id: string, transaction: Transaction): Promise<boolean> {
    const { affected } = await transaction
      .getRepository(WebhookDelivery)
      .update(
        { id, status: In(['succeeded', 'failed']) },
        { status: 'pending', attempts: 0, settledAt: null },
      );
    return (affected ?? 0) > 0;
  }

  /** A subscription's deliveries, newest first, `limit` after `after`. */
  page(subscriptionId: string, after: KeysetPosition | undefined, limit: number): Promise<WebhookDelivery[]> {
    const query = this.deliveries
      .createQueryBuilder('d')
      .where('d.subscription_id = :subscriptionId', { subscriptionId });
    if (after) query.andWhere('(d.created_at, d.id) < (:at, :id)', { at: after.createdAt, id: after.id });
    return query.orderBy('d.created_at', 'DESC').addOrderBy('d.id', 'DESC').limit(limit).getMany();
  }

  /** The age of the oldest pending delivery, in seconds (0 when none is). */
  async oldestPendingAgeSeconds(now: Date): Promise<number> {
    const [row]: { oldest: Date | null }[] = await this.deliveries.query(
      `SELECT min(created_at) AS oldest FROM webhook_deliveries WHERE status IN ('pending', 'waiting')`,
    );
    return row.oldest ? Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000) : 0;
  }

  /** Deletes up to `limit` deliveries settled before `before`. */
  async purgeSettled(before: Date, limit: number): Promise<number> {
    const [, deleted]: [unknown[], number] = await this.deliveries.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE settled_at < $1 LIMIT $2
       )`,
      [before, limit],
    );
    return deleted;
  }
}
