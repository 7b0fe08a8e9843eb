import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as JSON, once its signature verified. */
  json: { type: string; timestamp: string; data: Record<string, unknown> };
}

/** What the receiver does with a delivery: answer a status, or hold it (never answer: a timeout, a crash). */
export type Answer = number | 'hold';

/**
 * An endpoint on 127.0.0.1 that receives webhooks as a team's system would: it verifies every
 * delivery with the Standard Webhooks reference library (`standardwebhooks`) and the secrets it
 * was given, and answers what the test's `answer` says (204 by default).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  readonly unverified: { headers: IncomingHttpHeaders; body: string }[] = [];
  secrets: string[] = [];
  answer: (delivery: Received) => Answer = () => 204;
  private readonly held: ServerResponse[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const json = this.verify(request.headers, body);
        if (!json) {
          this.unverified.push({ headers: request.headers, body });
          response.writeHead(400).end();
          return;
        }
        const delivery = { headers: request.headers, body, json };
        this.received.push(delivery);
        const answer = this.answer(delivery);
        if (answer === 'hold') this.held.push(response);
        else response.writeHead(answer).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  /** The body, when any of the secrets verifies its signature (and its timestamp is recent). */
  private verify(headers: IncomingHttpHeaders, body: string): Received['json'] | null {
    for (const secret of this.secrets) {
      try {
        return new Webhook(secret).verify(body, headers as Record<string, string>) as Received['json'];
      } catch {
        // The next secret, if any.
      }
    }
    return null;
  }

  of(type: string, userId?: string): Received[] {
    return this.received.filter((r) => r.json.type === type && (!userId || r.json.data.userId === userId));
  }

  async stop(): Promise<void> {
    for (const response of this.held.splice(0)) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
