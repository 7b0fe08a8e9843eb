import { IsInt, Matches, Max, Min } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { DURATION, DURATION_MESSAGE, durationToSeconds, ToInteger } from './environment.js';

/** Five cron fields (minute hour day month weekday), as pg-boss's scheduler reads them. */
const CRON = /^\S+(\s+\S+){4}$/;

export class RetentionEnvironment {
  /** How long an ended session (expired or idle) and its refresh tokens are kept before they are deleted. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  RETENTION_ENDED_SESSIONS = '30d';

  /** How many days an audit event is kept (`audit_events`): about 13 months by default, so a year ago is still there. */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(36_500)
  AUDIT_RETENTION_DAYS = 400;

  /** When the retention job runs: a cron expression in UTC (every 10 minutes by default). */
  @Matches(CRON, { message: '$property must be a cron expression of five fields, such as */10 * * * *' })
  RETENTION_SCHEDULE = '*/10 * * * *';

  /** Rows deleted per statement: each batch is a short transaction, so a large backlog never holds locks for long. */
  @ToInteger()
  @IsInt()
  @Min(10)
  @Max(100_000)
  RETENTION_BATCH_SIZE = 1000;
}

export const retentionConfig = defineConfig('retention', RetentionEnvironment, (env) => ({
  endedSessionsSeconds: durationToSeconds(env.RETENTION_ENDED_SESSIONS),
  auditRetentionDays: env.AUDIT_RETENTION_DAYS,
  schedule: env.RETENTION_SCHEDULE,
  batchSize: env.RETENTION_BATCH_SIZE,
}));
export type RetentionConfig = ConfigOf<typeof retentionConfig>;
