import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { webhooksConfig, type WebhooksConfig } from '../config/webhooks.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { JobsService } from '../jobs/jobs.service.js';
import type { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import type { WebhookDisabledReason } from './entities/webhook-subscription.entity.js';
import { WebhookAddressPolicy, WebhookUrlRefusal } from './webhook-addresses.js';
import { WEBHOOK_DELIVERY_QUEUE, type WebhookDeliveryJob } from './webhook-delivery.job.js';
import { WebhookDeliveriesRepository, type AttemptRecord } from './webhook-deliveries.repository.js';
import { WebhookMetrics, type AttemptOutcomeLabel } from './webhook-metrics.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { WebhookSender } from './webhook-sender.js';
import { signWebhook } from './webhook-signature.js';
import {
  WebhookSubscriptionsRepository,
  type SubscriptionWithSecrets,
} from './webhook-subscriptions.repository.js';

/** Deliveries in a row that fail for good before their subscription is disabled (`failing`). */
export const FAILURES_BEFORE_DISABLING = 5;
/** pg-boss retries beyond WEBHOOK_MAX_ATTEMPTS, for attempts a dying worker never finished. */
const SPARE_RETRIES = 2;

/** An attempt that will be tried again: pg-boss schedules the retry (backoff with jitter). */
class RetryLater extends Error {}

/**
 * Attempts a delivery: signs its body with the subscription's secrets, POSTs it to the address the
 * policy checked at that moment, and settles it. A 2xx is success; a 410 disables the subscription;
 * anything else (another status, a timeout, a refused address, no connection) is retried until
 * WEBHOOK_MAX_ATTEMPTS attempts have started. Settling a delivery lets the next of the same
 * account go (the dispatcher made it `waiting`).
 */
@Injectable()
export class WebhookDeliverer implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly jobs: JobsService,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly subscriptions: WebhookSubscriptionsRepository,
    private readonly policy: WebhookAddressPolicy,
    private readonly sender: WebhookSender,
    private readonly secrets: WebhookSecrets,
    private readonly metrics: WebhookMetrics,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    @Inject(webhooksConfig.KEY) private readonly config: WebhooksConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.defineQueue<WebhookDeliveryJob>(WEBHOOK_DELIVERY_QUEUE, (job) => this.deliver(job.deliveryId), {
      retryLimit: this.config.maxAttempts - 1 + SPARE_RETRIES,
      retryDelaySeconds: this.config.retryDelaySeconds,
      retryDelayMaxSeconds: 86_400,
      // A job still running this long after it started lost its worker: pg-boss retries it.
      timeoutSeconds: Math.ceil(this.config.timeoutMs / 1000) + 10,
    });
  }

  async deliver(deliveryId: string): Promise<void> {
    const delivery = await this.deliveries.findById(deliveryId);
    if (delivery?.status !== 'pending') return;
    const subscription = await this.subscriptions.findWithSecrets(delivery.subscriptionId);
    if (!subscription) return;
    if (!subscription.enabled) {
      await this.settle(delivery, 'failed', {
        statusCode: null,
        latencyMs: 0,
        error: 'subscription disabled',
      });
      return;
    }
    const now = this.clock.now();
    const attempt = await this.deliveries.startAttempt(delivery.id, now);
    if (attempt === null) return;
    if (attempt > this.config.maxAttempts) {
      await this.settle(delivery, 'failed', { statusCode: null, latencyMs: 0, error: 'attempts exhausted' });
      return;
    }
    const result = await this.attempt(delivery, subscription, now);
    await this.conclude(delivery, attempt, result);
  }

  private async attempt(
    delivery: WebhookDelivery,
    subscription: SubscriptionWithSecrets,
    now: Date,
  ): Promise<AttemptRecord & { refused?: boolean }> {
    let target;
    try {
      target = await this.policy.target(subscription.url);
    } catch (error) {
      if (!(error instanceof WebhookUrlRefusal)) throw error;
      return {
        statusCode: null,
        latencyMs: 0,
        error: `refused: ${error.message}`.slice(0, 200),
        refused: true,
      };
    }
    const headers = signWebhook(delivery.id, now, delivery.payload, this.secrets.signing(subscription, now));
    const outcome = await this.sender.post(target, { ...headers }, delivery.payload);
    return outcome.kind === 'answered'
      ? {
          statusCode: outcome.status,
          latencyMs: outcome.latencyMs,
          error: ok(outcome.status) ? null : `HTTP ${outcome.status}`,
        }
      : { statusCode: null, latencyMs: outcome.latencyMs, error: outcome.error };
  }

  private async conclude(
    delivery: WebhookDelivery,
    attempt: number,
    found: AttemptRecord & { refused?: boolean },
  ): Promise<void> {
    const { refused, ...result } = found;
    const { statusCode } = result;
    if (statusCode !== null && ok(statusCode)) {
      this.metrics.attempted('succeeded', result.latencyMs);
      await this.settle(delivery, 'succeeded', result);
      return;
    }
    if (statusCode === 410) {
      this.metrics.attempted('gone', result.latencyMs);
      await this.settle(delivery, 'failed', result, 'gone');
      return;
    }
    const label: AttemptOutcomeLabel = refused ? 'refused' : 'retrying';
    if (attempt >= this.config.maxAttempts) {
      this.metrics.attempted(refused ? 'refused' : 'failed', result.latencyMs);
      await this.settle(delivery, 'failed', result);
      return;
    }
    this.metrics.attempted(label, result.latencyMs);
    await this.deliveries.recordAttempt(delivery.id, result);
    throw new RetryLater(`webhook delivery ${delivery.id}: attempt ${attempt} failed (${result.error})`);
  }

  /**
   * Settles the delivery and lets the next of its account go, in one transaction under the pair's
   * lock; a failure for good counts against the subscription, which `disable` may end.
   */
  private async settle(
    delivery: WebhookDelivery,
    status: 'succeeded' | 'failed',
    result: AttemptRecord,
    disable?: WebhookDisabledReason,
  ): Promise<void> {
    const now = this.clock.now();
    await this.transactions.run(async (transaction) => {
      const { subscriptionId, orderingKey } = delivery;
      if (orderingKey) await this.deliveries.lockOrdering([{ subscriptionId, orderingKey }], transaction);
      if (!(await this.deliveries.settle(delivery.id, status, result, now, transaction))) return;
      if (status === 'succeeded') await this.subscriptions.succeeded(subscriptionId, transaction);
      else {
        const failures = await this.subscriptions.failedForGood(subscriptionId, transaction);
        const reason = disable ?? (failures >= FAILURES_BEFORE_DISABLING ? 'failing' : undefined);
        if (reason) await this.disable(subscriptionId, reason, failures, transaction);
      }
      const promoted = orderingKey
        ? await this.deliveries.promoteNext(subscriptionId, orderingKey, transaction)
        : null;
      if (promoted)
        await this.jobs.enqueue<WebhookDeliveryJob>(
          WEBHOOK_DELIVERY_QUEUE,
          { deliveryId: promoted },
          transaction,
        );
    });
    if (status === 'failed')
      this.logger.warn(`webhook delivery ${delivery.id} failed for good (${result.error})`);
  }

  private async disable(
    subscriptionId: string,
    reason: WebhookDisabledReason,
    failures: number,
    transaction: Transaction,
  ): Promise<void> {
    const subscription = await this.subscriptions.lock(subscriptionId, transaction);
    if (!subscription?.enabled) return;
    await this.subscriptions.update(
      subscriptionId,
      { enabled: false, disabledReason: reason, updatedAt: this.clock.now() },
      transaction,
    );
    await this.audit.record(
      {
        type: 'webhook.disabled',
        subjectUserId: null,
        actorUserId: null,
        details: { webhookId: subscriptionId, disabledReason: reason, failedDeliveries: failures },
      },
      transaction,
    );
    this.logger.warn(`webhook subscription ${subscriptionId} disabled (${reason})`);
  }
}

const ok = (status: number) => status >= 200 && status < 300;
