import { Module } from '@nestjs/common';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { WebhookDeliveryModule } from './webhook-delivery.module.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhooks (`webhook_subscriptions`, `webhook_deliveries`, `webhook_outbox`): the admins' routes
 * over the delivering side (WebhookDeliveryModule), which the worker runs too.
 */
@Module({
  imports: [WebhookDeliveryModule, AuditLogModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
})
export class WebhooksModule {}
