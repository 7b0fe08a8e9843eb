import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { webhooksConfig, type WebhooksConfig } from '../config/webhooks.config.js';
import type { WebhookTarget } from './webhook-addresses.js';

/** A receiver's answer is read this far and no further; nothing of it is logged or kept. */
export const RESPONSE_READ_LIMIT = 4096;

export type AttemptOutcome =
  | { kind: 'answered'; status: number; latencyMs: number }
  | { kind: 'unreachable'; error: string; latencyMs: number };

/**
 * POSTs a delivery to its checked address (node's http and https clients: no redirect is ever
 * followed). The connection goes to the address the policy checked, whatever the DNS says by then;
 * TLS still verifies the certificate against the URL's host name. The whole attempt, answer
 * included, is bounded by WEBHOOK_TIMEOUT_MS; connections are kept alive between attempts.
 */
@Injectable()
export class WebhookSender implements OnModuleDestroy {
  private readonly agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: 50 }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
  };

  constructor(@Inject(webhooksConfig.KEY) private readonly config: WebhooksConfig) {}

  post(target: WebhookTarget, headers: Record<string, string>, body: string): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const { url, address } = target;
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: address.address, family: address.family }]);
      else callback(null, address.address, address.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const request = send(
        url,
        {
          method: 'POST',
          agent: this.agents[url.protocol as 'http:' | 'https:'],
          lookup: pinned,
          signal: AbortSignal.timeout(this.config.timeoutMs),
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Gatehouse-Webhooks/1',
          },
        },
        (response) =>
          readBounded(response).then(
            () => resolve({ kind: 'answered', status: response.statusCode ?? 0, latencyMs: elapsed() }),
            (error: Error) => resolve({ kind: 'unreachable', error: describe(error), latencyMs: elapsed() }),
          ),
      );
      request.on('error', (error) =>
        resolve({ kind: 'unreachable', error: describe(error), latencyMs: elapsed() }),
      );
      request.end(body);
    });
  }

  onModuleDestroy(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }
}

/** Reads the answer up to RESPONSE_READ_LIMIT bytes, then lets the socket go. */
function readBounded(response: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    let read = 0;
    response.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read >= RESPONSE_READ_LIMIT) {
        response.destroy();
        resolve();
      }
    });
    response.on('end', resolve);
    response.on('error', reject);
    response.on('close', resolve);
  });
}

/** A failure in a few words a log and an admin can read: the error's code, never a body. */
function describe(error: Error & { code?: string }): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  return (error.code ?? error.message).slice(0, 100);
}
