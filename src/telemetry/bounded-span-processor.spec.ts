import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { BoundedSpanProcessor } from './bounded-span-processor.js';
import type { DroppedSpans } from './dropped-spans.js';

const span = (sampled = true) =>
  ({
    spanContext: () => ({ traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE }),
    resource: {},
  }) as unknown as ReadableSpan;

/** An exporter that answers each export as told: at once, never, or with a failure. */
function exporter(answer: 'ok' | 'fail' | 'never') {
  const batches: number[] = [];
  const fake: SpanExporter = {
    export: (spans, done: (result: ExportResult) => void) => {
      batches.push(spans.length);
      if (answer !== 'never')
        done({ code: answer === 'ok' ? ExportResultCode.SUCCESS : ExportResultCode.FAILED });
    },
    shutdown: async () => undefined,
  };
  return { fake, batches };
}

const OPTIONS = { maxQueueSize: 4, maxExportBatchSize: 2, scheduleDelayMs: 60_000, exportTimeoutMs: 50 };

describe('BoundedSpanProcessor', () => {
  let processor: BoundedSpanProcessor;
  afterEach(() => processor.shutdown());

  it('exports sampled spans in batches, and drops nothing while the collector keeps up', async () => {
    const { fake, batches } = exporter('ok');
    const dropped: DroppedSpans[] = [];
    processor = new BoundedSpanProcessor(fake, OPTIONS, (d) => dropped.push(d));
    for (let i = 0; i < 3; i++) processor.onEnd(span());
    processor.onEnd(span(false));
    await processor.forceFlush();
    expect(batches).toEqual([2, 1]);
    expect(dropped).toEqual([]);
  });

  it('drops what finds the queue full, and counts a failed export’s spans', async () => {
    const { fake } = exporter('fail');
    const dropped: DroppedSpans[] = [];
    processor = new BoundedSpanProcessor(fake, { ...OPTIONS, maxExportBatchSize: 10 }, (d) =>
      dropped.push(d),
    );
    for (let i = 0; i < 6; i++) processor.onEnd(span());
    await processor.forceFlush();
    expect(dropped).toEqual([
      { count: 1, reason: 'queue-full' },
      { count: 1, reason: 'queue-full' },
      { count: 4, reason: 'export-failed' },
    ]);
  });

  it('gives up on an export that never answers, so the queue moves on', async () => {
    const { fake, batches } = exporter('never');
    const dropped: DroppedSpans[] = [];
    processor = new BoundedSpanProcessor(fake, OPTIONS, (d) => dropped.push(d));
    for (let i = 0; i < 3; i++) processor.onEnd(span());
    await processor.forceFlush();
    expect(batches).toEqual([2, 1]);
    expect(dropped).toEqual([
      { count: 2, reason: 'export-failed' },
      { count: 1, reason: 'export-failed' },
    ]);
  });
});
