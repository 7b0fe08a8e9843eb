import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditEventType } from '../audit/audit-event-types.js';
import { Clock } from '../common/clock.js';
import { positionAfter, toPage } from '../common/pagination/keyset-cursor.js';
import { webhooksConfig, type WebhooksConfig } from '../config/webhooks.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { JobsService } from '../jobs/jobs.service.js';
import type { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import {
  MAX_WEBHOOK_SUBSCRIPTIONS,
  type WebhookSubscription,
} from './entities/webhook-subscription.entity.js';
import { WebhookAddressPolicy, WebhookUrlRefusal } from './webhook-addresses.js';
import { WEBHOOK_DELIVERY_QUEUE, type WebhookDeliveryJob } from './webhook-delivery.job.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { WebhookEventType } from './webhook-event-types.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { newWebhookSecret } from './webhook-signature.js';
import { WebhookSubscriptionsRepository } from './webhook-subscriptions.repository.js';
import {
  DeliveryUnsettledError,
  WebhookLimitError,
  WebhookNotFoundError,
  WebhookUrlRejectedError,
} from './webhooks.errors.js';

export interface WebhookChanges {
  url?: string;
  events?: WebhookEventType[];
  description?: string;
  enabled?: boolean;
}

type Page = { limit: number; cursor?: string };

/**
 * The admins' webhook subscriptions: made with a secret shown once, changed, rotated, deleted, each
 * change recorded in the audit log; and their deliveries, listed and retried.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly subscriptions: WebhookSubscriptionsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly policy: WebhookAddressPolicy,
    private readonly secrets: WebhookSecrets,
    private readonly transactions: Transactions,
    private readonly jobs: JobsService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    @Inject(webhooksConfig.KEY) private readonly config: WebhooksConfig,
  ) {}

  async create(
    actorUserId: string,
    request: {
      url: string;
      events: WebhookEventType[];
      description?: string;
    },
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    await this.checkUrl(request.url);
    if ((await this.subscriptions.count()) >= MAX_WEBHOOK_SUBSCRIPTIONS) throw new WebhookLimitError();
    const id = randomUUID();
    const secret = newWebhookSecret();
    const now = this.clock.now();
    const subscription: WebhookSubscription = {
      id,
      url: request.url,
      description: request.description ?? null,
      events: request.events,
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
      previousSecretExpiresAt: null,
      createdBy: actorUserId,
      createdAt: now,
      updatedAt: now,
    } as WebhookSubscription;
    await this.transactions.run(async (transaction) => {
      await this.subscriptions.insert(
        { ...subscription, secretSealed: this.secrets.seal(secret, id), previousSecretSealed: null },
        transaction,
      );
      await this.record('webhook.created', subscription, transaction);
    });
    this.logger.log(`webhook subscription ${id} created`);
    return { subscription, secret };
  }

  async list(page: Page): Promise<{ items: WebhookSubscription[]; next: string | null }> {
    return toPage(await this.subscriptions.page(positionAfter(page.cursor), page.limit + 1), page.limit);
  }

  async get(id: string): Promise<WebhookSubscription> {
    const subscription = await this.subscriptions.findById(id);
    if (!subscription) throw new WebhookNotFoundError();
    return subscription;
  }

  async update(id: string, changes: WebhookChanges): Promise<WebhookSubscription> {
    if (changes.url !== undefined) await this.checkUrl(changes.url);
    return this.transactions.run(async (transaction) => {
      const found = await this.lock(id, transaction);
      const enabled = changes.enabled ?? found.enabled;
      const reenabled = enabled && !found.enabled;
      const next: Partial<WebhookSubscription> = {
        url: changes.url ?? found.url,
        events: changes.events ?? found.events,
        description: changes.description ?? found.description,
        enabled,
        disabledReason: enabled ? null : found.disabledReason,
        consecutiveFailures: reenabled ? 0 : found.consecutiveFailures,
        updatedAt: this.clock.now(),
      };
      await this.subscriptions.update(id, next, transaction);
      const updated = { ...found, ...next } as WebhookSubscription;
      await this.record('webhook.updated', updated, transaction);
      return updated;
    });
  }

  async delete(id: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const found = await this.lock(id, transaction);
      await this.subscriptions.delete(id, transaction);
      await this.record('webhook.deleted', found, transaction);
    });
  }

  /**
   * A new secret signs from now on; the one it replaces signs too, for WEBHOOK_SECRET_OVERLAP, so the
   * receiver can move to the new one without refusing a delivery. A rotation during an overlap ends
   * the older secret's at once (two secrets sign, never three).
   */
  async rotateSecret(id: string): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    const secret = newWebhookSecret();
    const now = this.clock.now();
    const previousSecretExpiresAt = new Date(now.getTime() + this.config.secretOverlapSeconds * 1000);
    await this.transactions.run(async (transaction) => {
      const found = await this.lock(id, transaction);
      await this.subscriptions.update(
        id,
        {
          secretSealed: this.secrets.seal(secret, id),
          previousSecretSealed: found.secretSealed,
          previousSecretExpiresAt,
          updatedAt: now,
        },
        transaction,
      );
      await this.record('webhook.secret-rotated', found, transaction);
    });
    return { secret, previousSecretExpiresAt };
  }

  async deliveriesOf(id: string, page: Page): Promise<{ items: WebhookDelivery[]; next: string | null }> {
    await this.get(id);
    return toPage(await this.deliveries.page(id, positionAfter(page.cursor), page.limit + 1), page.limit);
  }

  /**
   * A settled delivery goes again: a new round of WEBHOOK_MAX_ATTEMPTS attempts, under the same
   * `webhook-id`, whatever the order of the account's other deliveries (an admin asked for it).
   */
  async retry(id: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.get(id);
    await this.transactions.run(async (transaction) => {
      const delivery = await this.deliveries.findOf(id, deliveryId);
      if (!delivery) throw new WebhookNotFoundError('delivery');
      if (!(await this.deliveries.reopen(deliveryId, transaction))) throw new DeliveryUnsettledError();
      await this.jobs.enqueue<WebhookDeliveryJob>(WEBHOOK_DELIVERY_QUEUE, { deliveryId }, transaction);
    });
    return (await this.deliveries.findOf(id, deliveryId))!;
  }

  private async checkUrl(url: string): Promise<void> {
    try {
      await this.policy.target(url);
    } catch (error) {
      if (error instanceof WebhookUrlRefusal) throw new WebhookUrlRejectedError(error.message);
      throw error;
    }
  }

  private async lock(id: string, transaction: Transaction) {
    const found = await this.subscriptions.lock(id, transaction);
    if (!found) throw new WebhookNotFoundError();
    return found;
  }

  /** The host only: a URL's path or query may carry a token of the receiver's. */
  private record(type: AuditEventType, subscription: WebhookSubscription, transaction: Transaction) {
    return this.audit.record(
      {
        type,
        subjectUserId: null,
        details: { webhookId: subscription.id, webhookHost: new URL(subscription.url).host },
      },
      transaction,
    );
  }
}
