import { Injectable } from '@nestjs/common';
import { PgBoss } from 'pg-boss';
import { Counter, Gauge } from 'prom-client';
import { Metrics } from '../metrics/metrics.js';

/**
 * Job metrics in the app's registry: attempts that completed or failed in this process, and the
 * depth of every queue (pg-boss's counts, refreshed each JOBS_MONITOR_INTERVAL_SECONDS).
 */
@Injectable()
export class JobMetrics {
  private readonly watched = new Set<string>();
  private readonly attempts: Counter<'queue' | 'outcome'>;
  /** Read from pg-boss at every scrape. */
  readonly queueDepth: Gauge<'queue' | 'state'>;

  constructor(metrics: Metrics, boss: PgBoss) {
    this.attempts = new Counter({
      name: 'jobs_attempts_total',
      help: 'Job attempts run by this process, by queue and outcome (completed or failed).',
      labelNames: ['queue', 'outcome'] as const,
      registers: [metrics.registry],
    });
    const watched = this.watched;
    this.queueDepth = new Gauge({
      name: 'jobs_queue_depth',
      help: 'Jobs per queue and state: queued (waiting or retrying), active, failed (kept for a while).',
      labelNames: ['queue', 'state'] as const,
      registers: [metrics.registry],
      async collect() {
        if (watched.size === 0) return;
        const queues = await boss.getQueues([...watched]).catch(() => []);
        for (const q of queues) {
          this.set({ queue: q.name, state: 'queued' }, q.queuedCount);
          this.set({ queue: q.name, state: 'active' }, q.activeCount);
          this.set({ queue: q.name, state: 'failed' }, q.failedCount);
        }
      },
    });
  }

  watch(...queues: string[]): void {
    for (const queue of queues) this.watched.add(queue);
  }

  completed(queue: string): void {
    this.attempts.inc({ queue, outcome: 'completed' });
  }

  failed(queue: string): void {
    this.attempts.inc({ queue, outcome: 'failed' });
  }
}
