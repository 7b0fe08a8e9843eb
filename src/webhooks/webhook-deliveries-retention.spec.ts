import { jest } from '@jest/globals';
import type { WebhooksConfig } from '../config/webhooks.config.js';
import type { Retention } from '../jobs/retention.js';
import { WebhookDeliveriesRetention } from './webhook-deliveries-retention.js';
import type { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

describe('WebhookDeliveriesRetention', () => {
  it('registers itself, and purges deliveries settled more than WEBHOOK_DELIVERY_RETENTION_DAYS ago', async () => {
    const purgeSettled = jest.fn(async () => 7);
    const register = jest.fn();
    const retention = new WebhookDeliveriesRetention(
      { purgeSettled } as unknown as WebhookDeliveriesRepository,
      { register } as unknown as Retention,
      { deliveryRetentionDays: 30 } as WebhooksConfig,
    );
    retention.onModuleInit();
    expect(register).toHaveBeenCalledWith(retention);
    expect(retention.table).toBe('webhook_deliveries');
    await expect(retention.purge(new Date('2026-12-31T00:00:00.000Z'), 500)).resolves.toBe(7);
    expect(purgeSettled).toHaveBeenCalledWith(new Date('2026-12-01T00:00:00.000Z'), 500);
  });
});
