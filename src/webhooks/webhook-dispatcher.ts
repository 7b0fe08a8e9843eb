import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { JobsService, RUN_WORKERS } from '../jobs/jobs.service.js';
import { WEBHOOK_DELIVERY_QUEUE, type WebhookDeliveryJob } from './webhook-delivery.job.js';
import { WebhookDeliveriesRepository, type NewDelivery } from './webhook-deliveries.repository.js';
import { webhookPayload } from './webhook-payload.js';
import { WebhookSubscriptionsRepository } from './webhook-subscriptions.repository.js';

/** Events taken off the outbox per transaction. */
const BATCH = 200;
/** How often the outbox is looked at when it was empty (the delay an event waits at most). */
const POLL_MS = 500;

/**
 * Turns the outbox's events into deliveries, one per subscription that wants the event, and queues
 * a job for each that may go now. One dispatcher at a time, cluster-wide (an advisory lock held for
 * its transaction), so deliveries are made in the order the events were committed, and a delivery
 * of an account's event waits (`waiting`, no job) while an earlier one of the same account to the
 * same subscription is unsettled. Runs in every process that works jobs.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly subscriptions: WebhookSubscriptionsRepository,
    private readonly transactions: Transactions,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    @Inject(RUN_WORKERS) private readonly runWorkers: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runWorkers) return;
    this.timer = setInterval(() => {
      this.running ??= this.drain()
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn(`dispatch failed, will try again: ${error.message}`))
        .finally(() => (this.running = undefined));
    }, POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Dispatches until the outbox is empty (or another process is dispatching); returns the events taken. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const taken = await this.dispatch();
      total += taken;
      if (taken < BATCH) return total;
    }
  }

  /** One batch; returns how many events it took. */
  async dispatch(): Promise<number> {
    if (!(await this.deliveries.outboxHasEvents())) return 0;
    return this.transactions.run(async (transaction) => {
      if (!(await this.deliveries.becomeDispatcher(transaction))) return 0;
      const events = await this.deliveries.takeFromOutbox(BATCH, transaction);
      if (events.length === 0) return 0;
      const subscriptions = await this.subscriptions.enabled(transaction);
      const now = this.clock.now();
      const planned: NewDelivery[] = [];
      for (const event of events) {
        const payload = webhookPayload(event);
        for (const subscription of subscriptions.filter((s) => s.events.includes(event.type)))
          planned.push({
            subscriptionId: subscription.id,
            eventId: event.id,
            eventType: event.type,
            orderingKey: event.subjectUserId,
            payload,
            status: 'pending',
            createdAt: now,
          });
      }
      await this.orderByAccount(planned, transaction);
      const ids = await this.deliveries.insert(planned, transaction);
      const ready = ids.filter((_, i) => planned[i].status === 'pending');
      await this.jobs.enqueueMany<WebhookDeliveryJob>(
        WEBHOOK_DELIVERY_QUEUE,
        ready.map((deliveryId) => ({ deliveryId })),
        transaction,
      );
      return events.length;
    });
  }

  /** Makes `waiting` every delivery behind an unsettled one of the same account and subscription. */
  private async orderByAccount(planned: NewDelivery[], transaction: Transaction): Promise<void> {
    const keyed = planned.filter((d): d is NewDelivery & { orderingKey: string } => d.orderingKey !== null);
    await this.deliveries.lockOrdering(keyed, transaction);
    const busy = await this.deliveries.unsettledPairs(keyed, transaction);
    for (const delivery of keyed) {
      const pair = `${delivery.subscriptionId}/${delivery.orderingKey}`;
      if (busy.has(pair)) delivery.status = 'waiting';
      busy.add(pair);
    }
  }
}
