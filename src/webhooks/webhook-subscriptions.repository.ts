import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { KeysetPosition } from '../common/pagination/keyset-cursor.js';
import type { Transaction } from '../database/transactions.js';
import { WebhookSubscription } from './entities/webhook-subscription.entity.js';

/** A subscription with the sealed secrets that sign its deliveries. */
export type SubscriptionWithSecrets = WebhookSubscription & {
  secretSealed: string;
  previousSecretSealed: string | null;
};

/** The SQL of `webhook_subscriptions`, through TypeORM's API. */
@Injectable()
export class WebhookSubscriptionsRepository {
  constructor(
    @InjectRepository(WebhookSubscription) private readonly subscriptions: Repository<WebhookSubscription>,
  ) {}

  async insert(subscription: Omit<WebhookSubscription, 'id'> & { id: string }, transaction: Transaction) {
    await transaction.getRepository(WebhookSubscription).insert(subscription);
  }

  count(): Promise<number> {
    return this.subscriptions.count();
  }

  findById(id: string): Promise<WebhookSubscription | null> {
    return this.subscriptions.findOneBy({ id });
  }

  /** The subscription locked for a change, with its secrets. */
  lock(id: string, transaction: Transaction): Promise<SubscriptionWithSecrets | null> {
    return this.withSecrets(transaction.getRepository(WebhookSubscription).createQueryBuilder('s'))
      .setLock('pessimistic_write')
      .where('s.id = :id', { id })
      .getOne() as Promise<SubscriptionWithSecrets | null>;
  }

  /** The subscription with its secrets, to sign a delivery. */
  findWithSecrets(id: string): Promise<SubscriptionWithSecrets | null> {
    return this.withSecrets(this.subscriptions.createQueryBuilder('s'))
      .where('s.id = :id', { id })
      .getOne() as Promise<SubscriptionWithSecrets | null>;
  }

  /** The enabled subscriptions, for the dispatcher (a deployment has tens, not thousands). */
  enabled(transaction: Transaction): Promise<WebhookSubscription[]> {
    return transaction.getRepository(WebhookSubscription).findBy({ enabled: true });
  }

  async update(
    id: string,
    changes: Partial<SubscriptionWithSecrets>,
    transaction?: Transaction,
  ): Promise<void> {
    const repository = transaction?.getRepository(WebhookSubscription) ?? this.subscriptions;
    await repository.update({ id }, changes);
  }

  async delete(id: string, transaction: Transaction): Promise<boolean> {
    const { affected } = await transaction.getRepository(WebhookSubscription).delete({ id });
    return (affected ?? 0) > 0;
  }

  /** Newest first, `limit` after `after`. */
  page(after: KeysetPosition | undefined, limit: number): Promise<WebhookSubscription[]> {
    const query = this.subscriptions.createQueryBuilder('s');
    if (after) query.where('(s.created_at, s.id) < (:at, :id)', { at: after.createdAt, id: after.id });
    return query.orderBy('s.created_at', 'DESC').addOrderBy('s.id', 'DESC').limit(limit).getMany();
  }

  /**
   * Counts a delivery that failed for good; returns the count since the last success, under the
   * row's lock so two failures at once count two.
   */
  async failedForGood(id: string, transaction: Transaction): Promise<number> {
    const [rows]: [{ consecutive_failures: number }[], number] = await transaction.query(
      `UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1
        WHERE id = $1 RETURNING consecutive_failures`,
      [id],
    );
    return rows[0]?.consecutive_failures ?? 0;
  }

  async succeeded(id: string, transaction: Transaction): Promise<void> {
    await transaction.query(
      `UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`,
      [id],
    );
  }

  private withSecrets<Q extends ReturnType<Repository<WebhookSubscription>['createQueryBuilder']>>(
    query: Q,
  ): Q {
    return query.addSelect(['s.secretSealed', 's.previousSecretSealed']) as Q;
  }
}
