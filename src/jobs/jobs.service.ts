import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { PgBoss, type Db, type Job, type JobResult } from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { RequestContext, type Origin } from '../common/request-context.js';
import { jobsConfig, type JobsConfig } from '../config/jobs.config.js';
import { JobMetrics } from './job-metrics.js';

/** What a handler learns about the job it runs. */
export interface JobContext {
  id: string;
  /** 0 on the first attempt. */
  retryCount: number;
}
export type JobHandler<T> = (data: T, job: JobContext) => Promise<void>;

const DEAD_SUFFIX = '.dead';
/** Where a queue's jobs go after their last retry failed: listed by `npm run cli -- dead-jobs`. */
export const deadLetterQueue = (queue: string) => `${queue}${DEAD_SUFFIX}`;

export interface DeadJob {
  queue: string;
  /** The id the job had in its own queue. */
  id: string;
  failedOn: Date;
  attempts: number;
  data: object;
  lastError: string | undefined;
}

/**
 * What a job carries beside its data: the origin of the request that queued it (the audit log
 * records a job's events as that request's) and its W3C trace context (the job's span continues
 * that request's trace when tracing is on).
 */
interface Envelope {
  $origin?: Origin;
  $trace?: Record<string, string>;
}

const tracer = trace.getTracer('gatehouse-jobs');

/** How long the last failure of a job is worth keeping in the dead-letter queue. */
const DEAD_LETTER_RETENTION_SECONDS = 30 * 86_400;
const LONGEST_RETRY_DELAY_SECONDS = 3_600;
/** Whether this process works the queues (the API unless JOBS_WORKERS_ENABLED=false, the worker) or only fills them (the CLI). */
export const RUN_WORKERS = Symbol('RUN_WORKERS');

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

  constructor(
    private readonly boss: PgBoss,
    @Inject(jobsConfig.KEY) private readonly config: JobsConfig,
    private readonly metrics: JobMetrics,
    @Inject(RUN_WORKERS) private readonly runWorkers: boolean,
    private readonly requestContext: RequestContext,
  ) {}

  /** Remembers a queue and who works its jobs; called by features in `onModuleInit`. */
  defineQueue<T extends object>(name: string, handler: JobHandler<T>): void {
    this.handlers.set(name, handler as JobHandler<never>);
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
    const settings = {
      retryLimit: this.config.retryLimit,
      retryDelay: this.config.retryDelaySeconds,
      retryBackoff: true,
      retryDelayMax: LONGEST_RETRY_DELAY_SECONDS,
      expireInSeconds: this.config.timeoutSeconds,
      // Wakes a waiting worker at commit instead of at its next poll.
      notify: true,
    };
    for (const name of this.handlers.keys()) {
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
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const envelope: Envelope = { $origin: this.requestContext.origin() };
    if (Object.keys(carrier).length > 0) envelope.$trace = carrier;
    await this.boss.send(
      queue,
      { ...data, ...envelope },
      transaction ? { db: inTransaction(transaction) } : {},
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
        (jobs) => Promise.all(jobs.map((job) => this.run(queue, handler, job))),
      );
    }
  }

  /** Lets the jobs that are running finish (bounded), then closes pg-boss's connections. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: STOP_TIMEOUT_MS });
  }

  /** The jobs that failed for good, in every dead-letter queue, oldest first. */
  async deadJobs(limit = 100): Promise<DeadJob[]> {
    const queues = (await this.boss.getQueues()).filter((q) => q.name.endsWith(DEAD_SUFFIX));
    const found = await Promise.all(queues.map((q) => this.boss.findJobs<object>(q.name, { limit })));
    return found.flat().map((job) => ({
      queue: job.sourceName ?? job.name.slice(0, -DEAD_SUFFIX.length),
      id: job.sourceId ?? job.id,
      failedOn: job.createdOn,
      attempts: (job.sourceRetryCount ?? 0) + 1,
      data: withoutEnvelope(job.data),
      lastError: errorOf(job.sourceOutput),
    }));
  }

  queues(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Runs one job as part of the request that queued it: in its origin, and in a span of its own whose
   * parent is that request's (a no-op without the tracing SDK).
   */
  private run(queue: string, handler: JobHandler<never>, job: Job<never>): Promise<JobResult> {
    const { $origin, $trace } = (job.data ?? {}) as Envelope;
    const data = withoutEnvelope(job.data ?? {});
    const parent = $trace ? propagation.extract(ROOT_CONTEXT, $trace) : ROOT_CONTEXT;
    const attributes = {
      'messaging.system': 'pg-boss',
      'messaging.destination.name': queue,
      'messaging.message.id': job.id,
    };
    const work = () =>
      tracer.startActiveSpan(
        `process ${queue}`,
        { kind: SpanKind.CONSUMER, attributes },
        parent,
        async (span) => {
          const result = await this.attempt(queue, handler, job, data as never);
          if (result.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          return result;
        },
      );
    return $origin ? this.requestContext.runAs($origin, work) : work();
  }

  private async attempt(
    queue: string,
    handler: JobHandler<never>,
    job: Job<never>,
    data: never,
  ): Promise<JobResult> {
    const attempt = `${queue} job ${job.id} (attempt ${job.retryCount + 1})`;
    try {
      await handler(data, { id: job.id, retryCount: job.retryCount });
      this.metrics.completed(queue);
      return { id: job.id, status: 'completed' };
    } catch (error) {
      this.metrics.failed(queue);
      const message = (error as Error)?.message ?? String(error);
      if (job.retryCount >= this.config.retryLimit)
        this.logger.error(`${attempt} failed for good, dead-lettered: ${message}`);
      else this.logger.warn(`${attempt} failed, will retry: ${message}`);
      return { id: job.id, status: 'failed', output: { message } };
    }
  }
}

/** A job's own data, as its handler saw it: without where it came from or its trace context. */
function withoutEnvelope(data: object): object {
  const { $origin: _origin, $trace: _trace, ...own } = data as Envelope & object;
  return own;
}

/** pg-boss keeps a failed attempt's error as `{ message, stack }` (or as the value thrown). */
function errorOf(output: object | null): string | undefined {
  if (!output) return undefined;
  const message = (output as { message?: unknown }).message;
  return typeof message === 'string' ? message : JSON.stringify(output);
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
