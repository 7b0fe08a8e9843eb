import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Clock } from '../common/clock.js';
import { retentionConfig, type RetentionConfig } from '../config/retention.config.js';
import { Metrics } from '../metrics/metrics.js';
import { JobsService } from './jobs.service.js';

/**
 * One table's retention, the one shape every owner uses: a provider of the owning module
 * (`<rows>-retention.ts`) that registers itself in `onModuleInit` and whose `purge` calls its
 * repository, where the SQL is.
 */
export interface RetentionPolicy {
  /** What it purges: the `table` label of `retention_deleted_rows_total`. */
  readonly table: string;
  /** Deletes at most `limit` rows that are past keeping at `now`; returns how many it deleted. */
  purge(now: Date, limit: number): Promise<number>;
}

export const RETENTION_QUEUE = 'retention';
/** A run stops after this many batches per table and leaves the rest to the next run. */
const MAX_BATCHES_PER_RUN = 100;

/**
 * Deletes what is no longer worth keeping, on a schedule (RETENTION_SCHEDULE, pg-boss's scheduler:
 * one run cluster-wide). Each module that owns such rows registers its `RetentionPolicy`, so the
 * SQL stays with the table's owner; this only runs the batches, bounded, and counts what they
 * deleted (`retention_deleted_rows_total{table}`).
 */
@Injectable()
export class Retention implements OnModuleInit {
  private readonly logger = new Logger('Retention');
  private readonly policies = new Map<string, RetentionPolicy>();
  private readonly deleted: Counter<'table'>;

  constructor(
    @Inject(retentionConfig.KEY) private readonly config: RetentionConfig,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.deleted = new Counter({
      name: 'retention_deleted_rows_total',
      help: 'Rows the retention job deleted, by table.',
      labelNames: ['table'] as const,
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    this.jobs.defineSchedule(RETENTION_QUEUE, this.config.schedule, () => this.run().then(() => undefined));
  }

  register(policy: RetentionPolicy): void {
    this.policies.set(policy.table, policy);
  }

  /** One pass over every registered table, batch by batch until a batch comes back short. */
  async run(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [table, policy] of this.policies) {
      let total = 0;
      for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
        const deleted = await policy.purge(this.clock.now(), this.config.batchSize);
        total += deleted;
        this.deleted.inc({ table }, deleted);
        if (deleted < this.config.batchSize) break;
      }
      counts[table] = total;
    }
    this.logger.log(`deleted ${JSON.stringify(counts)}`);
    return counts;
  }
}
