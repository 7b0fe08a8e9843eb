import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { ToBoolean, ToInteger } from './environment.js';

export class JobsEnvironment {
  /** Run the job workers in this process. `false` in the API when `npm run worker` runs them apart. */
  @ToBoolean()
  @IsBoolean()
  JOBS_WORKERS_ENABLED = true;

  /** Jobs of one queue that one process runs at a time. */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(50)
  JOBS_CONCURRENCY = 2;

  /** Retries after the first failure; then the job is dead-lettered. */
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(50)
  JOBS_RETRY_LIMIT = 10;

  /** The first retry waits this long; each further one about twice as long (up to an hour). */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(3600)
  JOBS_RETRY_DELAY_SECONDS = 10;

  /** A job still running after this long counts as lost (its worker died) and is retried. */
  @ToInteger()
  @IsInt()
  @Min(5)
  @Max(86_400)
  JOBS_TIMEOUT_SECONDS = 120;

  /** How often lost jobs are looked for and queue statistics refreshed. */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(3600)
  JOBS_MONITOR_INTERVAL_SECONDS = 30;
}

export const jobsConfig = defineConfig('jobs', JobsEnvironment, (env) => ({
  workersEnabled: env.JOBS_WORKERS_ENABLED,
  concurrency: env.JOBS_CONCURRENCY,
  retryLimit: env.JOBS_RETRY_LIMIT,
  retryDelaySeconds: env.JOBS_RETRY_DELAY_SECONDS,
  timeoutSeconds: env.JOBS_TIMEOUT_SECONDS,
  monitorIntervalSeconds: env.JOBS_MONITOR_INTERVAL_SECONDS,
}));
export type JobsConfig = ConfigOf<typeof jobsConfig>;
