import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { webhooksConfig, type WebhooksConfig } from '../config/webhooks.config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { WebhookOutboxEntry } from './entities/webhook-outbox-entry.entity.js';
import { WebhookSubscription } from './entities/webhook-subscription.entity.js';
import { WebhookAddressPolicy, WebhookResolver } from './webhook-addresses.js';
import { WebhookDeliverer } from './webhook-deliverer.js';
import { WebhookDeliveriesRetention } from './webhook-deliveries-retention.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookSubscriptionsRepository } from './webhook-subscriptions.repository.js';

/**
 * The delivering side of webhooks: the dispatcher that turns the outbox into deliveries, the
 * handler of the `webhook-delivery` queue, the address policy and the sender, and the deliveries'
 * retention. The API (through WebhooksModule) and `npm run worker` import it.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookSubscription, WebhookDelivery, WebhookOutboxEntry]),
    AuditLogModule,
    MetricsModule,
  ],
  providers: [
    WebhookSubscriptionsRepository,
    WebhookDeliveriesRepository,
    WebhookResolver,
    {
      provide: WebhookAddressPolicy,
      inject: [webhooksConfig.KEY, WebhookResolver],
      useFactory: (config: WebhooksConfig, resolver: WebhookResolver) =>
        new WebhookAddressPolicy(
          { allowHttp: config.allowHttp, allowPrivate: config.allowPrivate },
          resolver,
        ),
    },
    WebhookSecrets,
    WebhookSender,
    WebhookMetrics,
    WebhookDeliverer,
    WebhookDispatcher,
    WebhookDeliveriesRetention,
  ],
  exports: [
    WebhookSubscriptionsRepository,
    WebhookDeliveriesRepository,
    WebhookAddressPolicy,
    WebhookSecrets,
  ],
})
export class WebhookDeliveryModule {}
