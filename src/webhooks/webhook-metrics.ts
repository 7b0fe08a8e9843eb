import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Clock } from '../common/clock.js';
import { Metrics } from '../metrics/metrics.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

/** How an attempt ended: the label of `webhook_delivery_attempts_total`. */
export type AttemptOutcomeLabel = 'succeeded' | 'retrying' | 'failed' | 'gone' | 'refused';

/**
 * The deliveries' metrics: attempts by outcome, their latency, and the age of the oldest delivery
 * not yet settled (read at each scrape: a receiver that is down shows as a growing age).
 */
@Injectable()
export class WebhookMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly latency: Histogram;
  /** Read at every scrape. */
  readonly oldestUnsettled: Gauge;

  constructor(metrics: Metrics, deliveries: WebhookDeliveriesRepository, clock: Clock) {
    this.attempts = new Counter({
      name: 'webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts, by outcome (succeeded, retrying, failed for good, gone: 410, refused: address policy).',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'webhook_delivery_duration_seconds',
      help: 'Time from the start of a webhook delivery attempt to its answer (or its failure).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
    this.oldestUnsettled = new Gauge({
      name: 'webhook_oldest_unsettled_delivery_seconds',
      help: 'Age of the oldest webhook delivery not yet succeeded or failed for good (0 when there is none).',
      registers: [metrics.registry],
      async collect() {
        this.set(await deliveries.oldestPendingAgeSeconds(clock.now()));
      },
    });
  }

  attempted(outcome: AttemptOutcomeLabel, latencyMs: number): void {
    this.attempts.inc({ outcome });
    this.latency.observe(latencyMs / 1000);
  }
}
