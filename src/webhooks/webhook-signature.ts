import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks' prefix of a signing secret: `whsec_` and the key's bytes in base64. */
const SECRET_PREFIX = 'whsec_';
/** 24 random bytes: 192 bits, the size the specification's examples use. */
const SECRET_BYTES = 24;

/** A new signing secret, as the subscriber receives it once. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The headers of one attempt of a delivery (https://www.standardwebhooks.com/, "Signature scheme"). */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs `body` as the Standard Webhooks specification says: HMAC-SHA256, keyed with the secret's
 * bytes, of `<id>.<timestamp>.<body>`, in base64 after `v1,`. With several secrets (a rotation's
 * overlap) the header carries one signature each, separated by spaces, so a receiver holding either
 * secret verifies the delivery. Written here rather than taken from the `standardwebhooks` package:
 * it is a few lines of node:crypto, and the tests verify it with that package, the reference.
 */
export function signWebhook(
  id: string,
  timestamp: Date,
  body: string,
  secrets: readonly string[],
): WebhookHeaders {
  const seconds = String(Math.floor(timestamp.getTime() / 1000));
  const content = `${id}.${seconds}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', keyOf(secret)).update(content, 'utf8').digest('base64')}`,
  );
  return { 'webhook-id': id, 'webhook-timestamp': seconds, 'webhook-signature': signatures.join(' ') };
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a webhook secret');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}
