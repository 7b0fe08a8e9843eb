import { Inject, Injectable, Logger } from '@nestjs/common';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Job, JobResult } from 'pg-boss';
import { RequestContext } from '../common/request-context.js';
import { jobsConfig, type JobsConfig } from '../config/jobs.config.js';
import { withoutEnvelope, type Envelope } from './job-envelope.js';
import { JobMetrics } from './job-metrics.js';

/** What a handler learns about the job it runs. */
export interface JobContext {
  id: string;
  /** 0 on the first attempt. */
  retryCount: number;
}
export type JobHandler<T> = (data: T, job: JobContext) => Promise<void>;

const tracer = trace.getTracer('gatehouse-jobs');

/**
 * Runs one job of a worker's batch as part of the request that queued it: in its origin, in a span
 * of its own whose parent is that request's (a no-op without the tracing SDK), counted and logged.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Jobs');

  constructor(
    @Inject(jobsConfig.KEY) private readonly config: JobsConfig,
    private readonly metrics: JobMetrics,
    private readonly requestContext: RequestContext,
  ) {}

  run(queue: string, handler: JobHandler<never>, job: Job<never>): Promise<JobResult> {
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
