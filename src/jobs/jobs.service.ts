import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PgBoss, type Db } from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { RequestContext } from '../common/request-context.js';
import { jobsConfig, type JobsConfig } from '../config/jobs.config.js';
import { deadLetterQueue } from './dead-jobs.js';
import { envelopeFor } from './job-envelope.js';
import { JobMetrics } from './job-metrics.js';
import { JobRunner, type JobHandler } from './job-runner.js';

/** How long the last failure of a job is worth keeping in the dead-letter queue. */
const DEAD_LETTER_RETENTION_SECONDS = 30 * 86_400;
const LONGEST_RETRY_DELAY_SECONDS = 3_600;
/** Whether this process works the queues (the API unless JOBS_WORKERS_ENABLED=false, the worker) or only fills them (the CLI). */
export const RUN_WORKERS = Symbol('RUN_WORKERS');

/** A queue's own retry and timeout settings, where the JOBS_* defaults do not fit its work. */
export interface QueueSettings {
  /** Retries after the first failure; then the job is dead-lettered. */
  retryLimit: number;
  /** The first retry waits about this long; each further one about twice as long, with jitter. */
  retryDelaySeconds: number;
  /** No retry waits longer. */
  retryDelayMaxSeconds: number;
  /** A job still running after this long counts as lost (its worker died) and is retried. */
  timeoutSeconds: number;
}

/** How long a shutdown waits for running jobs; the process gives up at 25 s (health/draining.ts). */
const STOP_TIMEOUT_MS = 20_000;

/**
 * A durable job queue on PostgreSQL (pg-boss, in the `pgboss` schema its own installer keeps; see
 * `runMigrationsLocked`). Features define a queue with its handler, and enqueue in the transaction of
 * the change that causes the job, so a rolled-back change leaves no job and a committed one always
 * has its job. Failed jobs are retried with exponential backoff, then dead-lettered. Workers run in
 * the API unless JOBS_WORKERS_ENABLED=false, and in `npm run worker`; shutdown waits for the jobs
 * that are running.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, JobHandler<never>>();
  private readonly schedules = new Map<string, string>();
  private readonly settings = new Map<string, Partial<QueueSettings>>();

  constructor(
    private readonly boss: PgBoss,
    @Inject(jobsConfig.KEY) private readonly config: JobsConfig,
    private readonly metrics: JobMetrics,
    private readonly runner: JobRunner,
    @Inject(RUN_WORKERS) private readonly runWorkers: boolean,
    private readonly requestContext: RequestContext,
  ) {}

  /** Remembers a queue and who works its jobs; called by features in `onModuleInit`. */
  defineQueue<T extends object>(
    name: string,
    handler: JobHandler<T>,
    settings: Partial<QueueSettings> = {},
  ): void {
    this.handlers.set(name, handler as JobHandler<never>);
    this.settings.set(name, settings);
  }

  /**
   * A queue whose jobs pg-boss's scheduler makes on a cron expression (UTC), once per occurrence
   * cluster-wide however many processes run workers. The queue is a `singleton` (one job active at a
   * time), so a run that outlasts the interval is never joined by a second; a failed run is not
   * retried, the next occurrence does the same work. Called by features in `onModuleInit`.
   */
  defineSchedule(name: string, cron: string, handler: JobHandler<object>): void {
    this.defineQueue(name, handler);
    this.schedules.set(name, cron);
  }

  /**
   * After every module's init, so after the migrations at boot (which install pg-boss's schema):
   * starts pg-boss, creates the defined queues or brings their settings up to date, and starts
   * their workers in the processes that run them.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.boss.start();
    for (const name of this.handlers.keys()) {
      const own = this.settings.get(name) ?? {};
      const settings = {
        retryLimit: own.retryLimit ?? this.config.retryLimit,
        retryDelay: own.retryDelaySeconds ?? this.config.retryDelaySeconds,
        retryBackoff: true,
        retryDelayMax: own.retryDelayMaxSeconds ?? LONGEST_RETRY_DELAY_SECONDS,
        expireInSeconds: own.timeoutSeconds ?? this.config.timeoutSeconds,
        // Wakes a waiting worker at commit instead of at its next poll.
        notify: true,
      };
      const deadLetter = deadLetterQueue(name);
      const scheduled = this.schedules.has(name);
      const queue = { ...settings, deadLetter, ...(scheduled ? { retryLimit: 0 } : {}) };
      await this.boss.createQueue(deadLetter, { retentionSeconds: DEAD_LETTER_RETENTION_SECONDS });
      await this.boss.createQueue(name, { ...queue, policy: scheduled ? 'singleton' : 'standard' });
      await this.boss.updateQueue(name, queue);
      this.metrics.watch(name, deadLetter);
    }
    if (this.runWorkers) {
      // Only processes that run workers keep the schedules (the CLI only queues).
      for (const [name, cron] of this.schedules) await this.boss.schedule(name, cron, null, { tz: 'UTC' });
      await this.startWorkers();
    } else this.logger.log('this process queues jobs; other processes work them');
  }

  /**
   * Adds a job. Pass the `EntityManager` of a running transaction to make the job part of it: it
   * exists if, and only if, that transaction commits.
   */
  async enqueue<T extends object>(queue: string, data: T, transaction?: EntityManager): Promise<void> {
    await this.boss.send(
      queue,
      { ...data, ...envelopeFor(this.requestContext) },
      transaction ? { db: inTransaction(transaction) } : {},
    );
  }

  /** Adds one job per item of `data`, in one statement, as part of the transaction. */
  async enqueueMany<T extends object>(queue: string, data: T[], transaction: EntityManager): Promise<void> {
    if (data.length === 0) return;
    const envelope = envelopeFor(this.requestContext);
    await this.boss.insert(
      queue,
      data.map((item) => ({ data: { ...item, ...envelope } })),
      { db: inTransaction(transaction) },
    );
  }

  private async startWorkers(): Promise<void> {
    for (const [queue, handler] of this.handlers) {
      await this.boss.work<never>(
        queue,
        {
          // Up to JOBS_CONCURRENCY jobs at a time, each settled on its own; while batches come back
          // full the worker fetches again at once, so a backlog drains without waiting for polls.
          batchSize: this.config.concurrency,
          perJobResults: true,
          burstWhenBatchFull: true,
          // NOTIFY wakes the worker for a new job; polling still finds retries whose backoff has passed.
          notifyPollingIntervalSeconds: 2,
        },
        (jobs) => Promise.all(jobs.map((job) => this.runner.run(queue, handler, job))),
      );
    }
  }

  /** Lets the jobs that are running finish (bounded), then closes pg-boss's connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: STOP_TIMEOUT_MS });
  }

  queues(): string[] {
    return [...this.handlers.keys()];
  }
}

/** pg-boss's view of a TypeORM transaction: its statements run on that transaction's connection. */
function inTransaction(manager: EntityManager): Db {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive)
    throw new Error('enqueue(…, transaction) needs the manager of a running transaction');
  return {
    executeSql: async (text, values) => ({ rows: (await runner.query(text, values, true)).records }),
  };
}
