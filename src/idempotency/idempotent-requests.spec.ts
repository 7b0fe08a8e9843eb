import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.js';
import { RequestValidationError } from '../common/errors/domain-error.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { HttpConfig } from '../config/http.config.js';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './idempotency.errors.js';
import type {
  IdempotentRequestsRepository,
  KeyedRequest,
  StoredAnswer,
} from './idempotent-requests.repository.js';
import { IdempotentRequests } from './idempotent-requests.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const TTL_SECONDS = 86_400;

interface Row extends KeyedRequest {
  claim: string;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
}

/** The table's rules in memory: one row per scope and key, claimed by one request at a time. */
class FakeRepository {
  readonly rows = new Map<string, Row>();
  claims: { claim: string; times: { now: Date; expiresAt: Date; abandonedBefore: Date } }[] = [];
  /** Rows that vanish between a refused claim and the read (a release in between). */
  vanishing = 0;
  failing = false;

  async claim(keyed: KeyedRequest, claim: string, times: (typeof this.claims)[number]['times']) {
    this.claims.push({ claim, times });
    const id = `${keyed.scope} ${keyed.key}`;
    if (this.rows.has(id)) return false;
    this.rows.set(id, { ...keyed, claim, status: null, headers: null, body: null });
    return true;
  }
  async find(scope: string, key: string) {
    if (this.vanishing > 0) {
      this.vanishing--;
      return null;
    }
    return this.rows.get(`${scope} ${key}`) ?? null;
  }
  async complete(scope: string, key: string, claim: string, answer: StoredAnswer) {
    if (this.failing) throw new Error('the database went away');
    const row = this.rows.get(`${scope} ${key}`);
    if (row?.claim === claim) Object.assign(row, answer);
  }
  async release(scope: string, key: string, claim: string) {
    if (this.rows.get(`${scope} ${key}`)?.claim === claim) this.rows.delete(`${scope} ${key}`);
  }
}

type OnSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: () => void) => void;

function subject() {
  const repository = new FakeRepository();
  let onSend: OnSend | undefined;
  const fastify = { addHook: (_name: string, hook: OnSend) => (onSend = hook) };
  const requests = new IdempotentRequests(
    repository as unknown as IdempotentRequestsRepository,
    { now: () => NOW } as Clock,
    { httpAdapter: { getInstance: () => fastify } } as unknown as HttpAdapterHost,
    { idempotencyKeyTtlSeconds: TTL_SECONDS } as HttpConfig,
    { jwtSecret: 'a secret of at least thirty-two characters!!' } as AuthConfig,
  );
  requests.onModuleInit();
  /** Sends the answer through the onSend hook, as Fastify does, and waits for it to settle. */
  const send = (sent: FastifyRequest, answer: FastifyReply, payload: unknown) =>
    new Promise<void>((resolve) => onSend!(sent, answer, payload, () => resolve()));
  return { requests, repository, send };
}

function request({
  key = 'key-1' as string | string[] | null,
  body = { name: 'Ada' } as unknown,
  url = '/api/v1/users/me?x=1',
  method = 'PATCH',
  userId = 'user-1' as string | null,
} = {}) {
  return {
    headers: key === null ? {} : { 'idempotency-key': key },
    body,
    url,
    method,
    ip: '203.0.113.7',
    principal: userId ? { userId } : undefined,
  } as unknown as FastifyRequest;
}

function reply(initial: Record<string, string> = {}) {
  const headers: Record<string, unknown> = { ...initial };
  return {
    statusCode: 200,
    getHeaders: () => headers,
    header: (name: string, value: unknown) => (headers[name] = value),
    headers: (values: Record<string, unknown>) => Object.assign(headers, values),
    sent: headers,
  } as unknown as FastifyReply & { sent: Record<string, unknown> };
}

describe('IdempotentRequests', () => {
  it('does nothing for a request without the header', async () => {
    const { requests, repository } = subject();
    expect(await requests.begin(request({ key: null }), reply())).toBeUndefined();
    expect(repository.claims).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['over 255 characters', 'k'.repeat(256)],
    ['not visible ASCII', 'clé'],
    ['with a space', 'a key'],
    ['sent twice', ['a', 'b']],
  ])('refuses a key %s with a 400 naming the header', async (_case, key) => {
    const { requests } = subject();
    const refused = requests.begin(request({ key }), reply());
    await expect(refused).rejects.toBeInstanceOf(RequestValidationError);
    await expect(refused).rejects.toMatchObject({
      errors: [{ parameter: 'Idempotency-Key', detail: expect.stringMatching(/1 to 255 visible ASCII/) }],
    });
  });

  it('claims a new key for the caller, until the TTL, releasing an abandoned claim after a minute', async () => {
    const { requests, repository } = subject();
    expect(await requests.begin(request({ key: 'k'.repeat(255) }), reply())).toBeUndefined();
    const [{ times }] = repository.claims;
    expect(times).toEqual({
      now: NOW,
      expiresAt: new Date(NOW.getTime() + TTL_SECONDS * 1000),
      abandonedBefore: new Date(NOW.getTime() - 60_000),
    });
    expect([...repository.rows.values()][0]).toMatchObject({ scope: 'user:user-1', key: 'k'.repeat(255) });
  });

  it('keys an anonymous caller by its address, and reads a structured-field string as its content', async () => {
    const { requests, repository } = subject();
    await requests.begin(request({ key: '"quoted"', userId: null }), reply());
    expect([...repository.rows.values()][0]).toMatchObject({ scope: 'address:203.0.113.7', key: 'quoted' });
  });

  it('replays the first success with its headers, marked, whatever the query string', async () => {
    const { requests, send } = subject();
    const first = request();
    const firstReply = reply({ 'x-request-id': 'first' });
    await requests.begin(first, firstReply);
    firstReply.header('etag', '"v2"');
    firstReply.header('content-length', '42');
    firstReply.header('x-request-id', 'first');
    await send(first, firstReply, '{"name":"Ada"}');

    const again = reply({ 'x-request-id': 'second' });
    expect(await requests.begin(request({ url: '/api/v1/users/me' }), again)).toEqual({
      body: '{"name":"Ada"}',
    });
    // What the operation added is repeated; the transport's headers and those set before it are not.
    expect(again.sent).toEqual({ 'x-request-id': 'second', etag: '"v2"', 'idempotent-replayed': 'true' });
  });

  it('stores a Buffer body as text, and another payload (a stream) as nothing', async () => {
    const { requests, repository, send } = subject();
    for (const [key, payload, stored] of [
      ['buffer', Buffer.from('{"a":1}'), '{"a":1}'],
      ['stream', { pipe: () => undefined }, ''],
    ] as const) {
      const r = request({ key });
      await requests.begin(r, reply());
      await send(r, reply(), payload);
      expect(repository.rows.get(`user:user-1 ${key}`)).toMatchObject({ status: 200, body: stored });
    }
  });

  it('refuses the key with another body, path or method, and while the first is still running', async () => {
    const { requests } = subject();
    await requests.begin(request(), reply());
    await expect(requests.begin(request(), reply())).rejects.toBeInstanceOf(IdempotencyKeyInUseError);
    for (const other of [
      request({ body: { name: 'Grace' } }),
      request({ url: '/api/v1/users/other' }),
      request({ method: 'POST' }),
    ])
      await expect(requests.begin(other, reply())).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('keeps callers apart: the same key of another user is a key of its own', async () => {
    const { requests } = subject();
    await requests.begin(request(), reply());
    expect(await requests.begin(request({ userId: 'user-2' }), reply())).toBeUndefined();
  });

  it('releases the key of a failure, so that a retry runs', async () => {
    const { requests, repository, send } = subject();
    const failed = reply();
    (failed as { statusCode: number }).statusCode = 409;
    const first = request();
    await requests.begin(first, failed);
    await send(first, failed, '{}');
    expect(repository.rows.size).toBe(0);
    expect(await requests.begin(request(), reply())).toBeUndefined();
  });

  it('sends the answer even when it cannot be stored', async () => {
    const { requests, repository, send } = subject();
    const first = request();
    await requests.begin(first, reply());
    repository.failing = true;
    await expect(send(first, reply(), '{}')).resolves.toBeUndefined();
  });

  it('claims again a key released between its refused claim and the read, three times at most', async () => {
    const { requests, repository } = subject();
    await requests.begin(request(), reply());
    repository.vanishing = 3;
    await expect(requests.begin(request(), reply())).rejects.toBeInstanceOf(IdempotencyKeyInUseError);
    expect(repository.claims).toHaveLength(4);
  });

  it('leaves the answers of requests without a claim alone', async () => {
    const { repository, send } = subject();
    await send(request(), reply(), '{}');
    expect(repository.rows.size).toBe(0);
  });
});
