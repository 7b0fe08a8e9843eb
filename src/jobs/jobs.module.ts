import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { PgBoss } from 'pg-boss';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { jobsConfig, type JobsConfig } from '../config/jobs.config.js';
import { CommonModule } from '../common/common.module.js';
import { DatabaseServer } from '../database/database-server.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DeadJobs } from './dead-jobs.js';
import { JobMetrics } from './job-metrics.js';
import { JobRunner } from './job-runner.js';
import { JOB_SCHEMA } from './job-schema.js';
import { JobsService, RUN_WORKERS } from './jobs.service.js';
import { Retention } from './retention.js';

/** The same error again within this window is not logged again (an outage repeats it every poll). */
const QUIET_MS = 30_000;

function createBoss(
  server: DatabaseServer,
  database: DatabaseConfig,
  jobs: JobsConfig,
  workers: boolean,
): PgBoss {
  const boss = new PgBoss({
    // The server itself, not a transaction pooler: pg-boss opens its LISTEN session with the settings
    // of its pool. That is JOBS_CONCURRENCY + 3 connections; the jobs a request enqueues go in its own
    // transaction, through DATABASE_URL.
    connectionString: server.directUrl,
    schema: JOB_SCHEMA,
    application_name: 'gatehouse-jobs',
    max: Math.max(2, jobs.concurrency + 2),
    connectionTimeoutMillis: database.connectTimeoutMs,
    // The schema is installed and upgraded with the migrations, never by a starting instance.
    migrate: false,
    // The cron monitor runs where jobs are worked; pg-boss makes each occurrence's job once, cluster-wide.
    schedule: workers,
    useListenNotify: true,
    // JobsService carries each job's trace context itself (jobs.service.ts), to the job's own span
    // whatever the size of the batch it is fetched in; pg-boss's spans would start a trace per batch.
    openTelemetry: { enabled: false },
    monitorIntervalSeconds: jobs.monitorIntervalSeconds,
    superviseIntervalSeconds: jobs.monitorIntervalSeconds,
  });
  const logger = new Logger('Jobs');
  const lastLogged = new Map<string, number>();
  boss.on('error', (error) => {
    const now = Date.now();
    if (now - (lastLogged.get(error.message) ?? 0) < QUIET_MS) return;
    lastLogged.set(error.message, now);
    logger.warn(`queue error (retrying on its own): ${error.message}`);
  });
  boss.on('warning', (warning) => logger.warn(warning.message));
  return boss;
}

/**
 * The durable job queue every feature can inject (`JobsService`). Each entry point says whether it
 * works the queues: the API unless JOBS_WORKERS_ENABLED=false, `npm run worker` always, the CLI never.
 */
@Module({})
export class JobsModule {
  static forRoot({ workers }: { workers: boolean }): DynamicModule {
    return {
      module: JobsModule,
      global: true,
      imports: [CommonModule, MetricsModule],
      providers: [
        {
          provide: PgBoss,
          inject: [DatabaseServer, databaseConfig.KEY, jobsConfig.KEY, RUN_WORKERS],
          useFactory: createBoss,
        },
        { provide: RUN_WORKERS, useValue: workers },
        JobMetrics,
        JobRunner,
        JobsService,
        DeadJobs,
        Retention,
      ],
      exports: [JobsService, DeadJobs, Retention, RUN_WORKERS],
    };
  }
}
