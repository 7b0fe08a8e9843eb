import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { DroppedSpans } from './dropped-spans.js';

export interface BoundedBatchOptions {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduleDelayMs: number;
  exportTimeoutMs: number;
}

/**
 * The SDK's batching, with every dropped span told (`onDropped`): a collector that is down, slow or
 * unreachable never slows or fails a request. Ended spans wait in a queue of at most
 * `maxQueueSize` (a span that finds it full is dropped at once); a timer, or a full batch, starts
 * an export, one at a time, each given `exportTimeoutMs` before its spans count as dropped.
 */
export class BoundedSpanProcessor implements SpanProcessor {
  private readonly queue: ReadableSpan[] = [];
  private readonly timer: NodeJS.Timeout;
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: BoundedBatchOptions,
    private readonly onDropped: (dropped: DroppedSpans) => void,
  ) {
    this.timer = setInterval(() => void this.forceFlush(), options.scheduleDelayMs);
    this.timer.unref();
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queue.length >= this.options.maxQueueSize)
      return this.onDropped({ count: 1, reason: 'queue-full' });
    this.queue.push(span);
    if (this.queue.length >= this.options.maxExportBatchSize) void this.forceFlush();
  }

  /** Exports everything queued, a batch at a time; one drain at once, which later calls join. */
  forceFlush(): Promise<void> {
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return this.draining;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.forceFlush();
    await this.exporter.shutdown();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxExportBatchSize);
      const result = await this.export(batch);
      if (result.code !== ExportResultCode.SUCCESS)
        this.onDropped({ count: batch.length, reason: 'export-failed' });
    }
  }

  private async export(batch: ReadableSpan[]): Promise<ExportResult> {
    // Resource attributes a detector is still working out are part of what is exported.
    await Promise.all(batch.map((span) => span.resource.waitForAsyncAttributes?.()));
    return new Promise((resolve) => {
      const timeout = setTimeout(
        () => resolve({ code: ExportResultCode.FAILED }),
        this.options.exportTimeoutMs,
      );
      this.exporter.export(batch, (result) => {
        clearTimeout(timeout);
        resolve(result);
      });
    });
  }
}
