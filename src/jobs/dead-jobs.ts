import { Injectable } from '@nestjs/common';
import { PgBoss } from 'pg-boss';
import { withoutEnvelope } from './job-envelope.js';

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

/** The jobs that failed for good, as an operator reads them (`npm run cli -- dead-jobs`). */
@Injectable()
export class DeadJobs {
  constructor(private readonly boss: PgBoss) {}

  /** In every dead-letter queue, oldest first. */
  async list(limit = 100): Promise<DeadJob[]> {
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
}

/** pg-boss keeps a failed attempt's error as `{ message, stack }` (or as the value thrown). */
function errorOf(output: object | null): string | undefined {
  if (!output) return undefined;
  const message = (output as { message?: unknown }).message;
  return typeof message === 'string' ? message : JSON.stringify(output);
}
