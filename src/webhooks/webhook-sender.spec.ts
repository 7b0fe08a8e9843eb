import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhooksConfig } from '../config/webhooks.config.js';
import { RESPONSE_READ_LIMIT, WebhookSender } from './webhook-sender.js';

/** A server on 127.0.0.1 that answers as `handle` says; what it received is kept. */
async function server(handle: (respond: (status: number, body?: string) => void) => void) {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const http: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      handle((status, text = '') => response.writeHead(status).end(text));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    received,
    port,
    close: () => {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(resolve));
    },
  };
}

const sender = (timeoutMs = 1000) => new WebhookSender({ timeoutMs } as WebhooksConfig);
/** A URL naming a host that resolves nowhere: the pinned address is what the sender connects to. */
const target = (port: number) => ({
  url: new URL(`http://receiver.invalid:${port}/hooks?x=1`),
  address: { address: '127.0.0.1', family: 4 as const },
});

describe('WebhookSender', () => {
  it('POSTs the body with its headers to the checked address, whatever the name resolves to, and reads the status', async () => {
    const receiver = await server((respond) => respond(204));
    const send = sender();
    try {
      const outcome = await send.post(target(receiver.port), { 'webhook-id': 'd1' }, '{"a":1}');
      expect(outcome).toMatchObject({ kind: 'answered', status: 204 });
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]).toMatchObject({
        body: '{"a":1}',
        headers: {
          'webhook-id': 'd1',
          'content-type': 'application/json',
          'content-length': '7',
          'user-agent': 'Gatehouse-Webhooks/1',
          host: `receiver.invalid:${receiver.port}`,
        },
      });
    } finally {
      send.onModuleDestroy();
      await receiver.close();
    }
  });

  it('does not follow a redirect, and reads a large answer only so far', async () => {
    const receiver = await server((respond) => respond(307, 'x'.repeat(RESPONSE_READ_LIMIT * 50)));
    const send = sender();
    try {
      const outcome = await send.post(target(receiver.port), {}, '{}');
      expect(outcome).toMatchObject({ kind: 'answered', status: 307 });
      expect(receiver.received).toHaveLength(1);
    } finally {
      send.onModuleDestroy();
      await receiver.close();
    }
  });

  it('gives up after WEBHOOK_TIMEOUT_MS, and says when nothing listens', async () => {
    const receiver = await server(() => undefined);
    const send = sender(200);
    try {
      const started = performance.now();
      const outcome = await send.post(target(receiver.port), {}, '{}');
      expect(outcome).toMatchObject({ kind: 'unreachable', error: 'timed out' });
      expect(performance.now() - started).toBeLessThan(5000);
      await receiver.close();
      expect(await send.post(target(receiver.port), {}, '{}')).toMatchObject({
        kind: 'unreachable',
        error: 'ECONNREFUSED',
      });
    } finally {
      send.onModuleDestroy();
      await receiver.close().catch(() => undefined);
    }
  });
});
