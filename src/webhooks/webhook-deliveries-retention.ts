import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { webhooksConfig, type WebhooksConfig } from '../config/webhooks.config.js';
import { Retention, type RetentionPolicy } from '../jobs/retention.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

const DAY_MS = 86_400_000;

/** Deliveries settled more than WEBHOOK_DELIVERY_RETENTION_DAYS ago are deleted by the retention job. */
@Injectable()
export class WebhookDeliveriesRetention implements RetentionPolicy, OnModuleInit {
  readonly table = 'webhook_deliveries';

  constructor(
    private readonly repository: WebhookDeliveriesRepository,
    private readonly registry: Retention,
    @Inject(webhooksConfig.KEY) private readonly config: WebhooksConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  purge(now: Date, limit: number): Promise<number> {
    return this.repository.purgeSettled(
      new Date(now.getTime() - this.config.deliveryRetentionDays * DAY_MS),
      limit,
    );
  }
}
