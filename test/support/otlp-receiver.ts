import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as OTLP/JSON carries it (ids in hex), with its scope's name. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
}

interface ExportRequest {
  resourceSpans?: {
    scopeSpans?: {
      scope?: { name?: string };
      spans?: (Omit<ReceivedSpan, 'scope' | 'attributes'> & {
        attributes?: { key: string; value: Record<string, unknown> }[];
      })[];
    }[];
  }[];
}

/**
 * A collector stand-in: an OTLP/HTTP server (`POST /v1/traces`, JSON, as the app's exporter sends it)
 * that decodes every export and keeps its spans. Refuses anything else with a 415 or 404, as a
 * collector would.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every path the app posted to: a tracing-only app posts to `/v1/traces` alone. */
  readonly paths = new Set<string>();
  private constructor(private readonly server: Server) {}

  /** `answers: false` is a collector that takes connections and never replies: every export hangs. */
  static async start({ answers = true } = {}): Promise<OtlpReceiver> {
    const receiver: { value?: OtlpReceiver } = {};
    const server = createServer((request, response) => {
      if (!answers) return;
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        receiver.value!.paths.add(request.url ?? '');
        if (request.method !== 'POST' || request.url !== '/v1/traces')
          return void response.writeHead(404).end();
        if (!request.headers['content-type']?.startsWith('application/json'))
          return void response.writeHead(415).end();
        receiver.value!.receive(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver.value = new OtlpReceiver(server);
    return receiver.value;
  }

  /** What OTEL_EXPORTER_OTLP_ENDPOINT names. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  spansOf(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private receive(body: ExportRequest): void {
    for (const resource of body.resourceSpans ?? [])
      for (const scoped of resource.scopeSpans ?? [])
        for (const span of scoped.spans ?? [])
          this.spans.push({
            ...span,
            scope: scoped.scope?.name ?? '',
            attributes: Object.fromEntries(
              (span.attributes ?? []).map(({ key, value }) => [key, Object.values(value)[0]]),
            ),
          });
  }
}
