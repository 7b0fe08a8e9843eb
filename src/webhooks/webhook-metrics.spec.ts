import { Registry } from 'prom-client';
import type { Clock } from '../common/clock.js';
import type { Metrics } from '../metrics/metrics.js';
import type { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookMetrics } from './webhook-metrics.js';

const NOW = new Date('2026-12-07T12:00:00.000Z');

describe('WebhookMetrics', () => {
  it('counts attempts by outcome with their latency, and reads the oldest unsettled delivery’s age at each scrape', async () => {
    const registry = new Registry();
    let asked: Date | undefined;
    const metrics = new WebhookMetrics(
      { registry } as Metrics,
      {
        oldestPendingAgeSeconds: async (now: Date) => {
          asked = now;
          return 42.5;
        },
      } as unknown as WebhookDeliveriesRepository,
      { now: () => NOW } as Clock,
    );
    metrics.attempted('succeeded', 120);
    metrics.attempted('succeeded', 80);
    metrics.attempted('gone', 3000);
    const text = await registry.metrics();
    expect(text).toContain('webhook_delivery_attempts_total{outcome="succeeded"} 2');
    expect(text).toContain('webhook_delivery_attempts_total{outcome="gone"} 1');
    expect(text).toContain('webhook_delivery_duration_seconds_bucket{le="0.1"} 1');
    expect(text).toContain('webhook_delivery_duration_seconds_bucket{le="0.25"} 2');
    expect(text).toContain('webhook_delivery_duration_seconds_bucket{le="2.5"} 2');
    expect(text).toContain('webhook_delivery_duration_seconds_bucket{le="5"} 3');
    expect(text).toContain('webhook_delivery_duration_seconds_sum 3.2');
    expect(text).toContain('webhook_oldest_unsettled_delivery_seconds 42.5');
    expect(text).toMatch(/# HELP webhook_delivery_attempts_total Webhook delivery attempts, by outcome/);
    expect(text).toMatch(/# HELP webhook_oldest_unsettled_delivery_seconds Age of the oldest/);
    expect(text).toMatch(/# HELP webhook_delivery_duration_seconds Time from the start/);
    expect(asked).toBe(NOW);
  });
});
