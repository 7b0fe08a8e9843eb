import { jest } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { WebhookResolver } from '../../src/webhooks/webhook-addresses.js';
import { eventually } from '../support/eventually.js';
import { aSignedInUser, expectProblem, login, signUp, type Tokens } from '../support/factories.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { killAll } from '../support/processes.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const run = promisify(execFile);

/** An app that may send to the receiver on 127.0.0.1 over http, with retries a test can wait for. */
const DEVELOPMENT = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_DELAY_SECONDS: '1',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_MAX_ATTEMPTS: '3',
  JOBS_MONITOR_INTERVAL_SECONDS: '1',
};

describe('webhooks (e2e)', () => {
  let t: TestApp;
  let admin: Tokens;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startTestApp(DEVELOPMENT);
    admin = (await aSignedInAdmin(t)).tokens;
  });
  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    await receiver.stop();
    await t.db.query('DELETE FROM webhook_subscriptions');
  });
  afterAll(async () => {
    await t.close();
  });

  const call = (method: string, path: string, body?: object, token = admin.accessToken) =>
    t.http.request(method, `/api/v1${path}`, { token, body });

  async function subscribe(events: string[], url = receiver.url) {
    const created = await call('POST', '/webhooks', { url, events, description: 'Test receiver' });
    expect(created.status).toBe(201);
    receiver.secrets = [created.body.secret];
    return created.body as { id: string; secret: string };
  }
  const deliveriesOf = async (id: string) =>
    (await call('GET', `/webhooks/${id}/deliveries?limit=100`)).body.items;

  it('makes a subscription with a secret shown once, and records it', async () => {
    const created = await subscribe(['account.signed-up']);
    expect(created.secret).toMatch(/^whsec_/);
    const read = await call('GET', `/webhooks/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ url: receiver.url, events: ['account.signed-up'], enabled: true });
    expect(JSON.stringify(read.body)).not.toContain(created.secret);
    const stored = await t.db.query('SELECT secret_sealed FROM webhook_subscriptions WHERE id = $1', [
      created.id,
    ]);
    expect(stored[0].secret_sealed).not.toContain(created.secret.slice(6));
    const [event] = await t.db.query(
      `SELECT details FROM audit_events WHERE type = 'webhook.created' AND details->>'webhookId' = $1`,
      [created.id],
    );
    expect(event.details).toMatchObject({ webhookHost: new URL(receiver.url).host });
    expect(
      expectProblem(await call('POST', '/webhooks', { url: receiver.url, events: ['no.such'] }), 400)
        .errors[0].pointer,
    ).toMatch(/events/);
    expect(
      expectProblem(await call('POST', '/webhooks', { url: receiver.url, events: [] }), 400).errors[0]
        .pointer,
    ).toMatch(/events/);
  });

  it('is for admins with a session only', async () => {
    const { tokens } = await aSignedInUser(t.api);
    expectProblem(await call('GET', '/webhooks', undefined, tokens.accessToken), 403);
    expectProblem(
      await call(
        'POST',
        '/webhooks',
        { url: receiver.url, events: ['account.signed-up'] },
        tokens.accessToken,
      ),
      403,
    );
    expectProblem(await call('GET', '/webhooks', undefined, 'nope'), 401);
  });

  it('delivers the events chosen, signed per Standard Webhooks, once each, and lists the deliveries', async () => {
    const { id } = await subscribe(['account.signed-up', 'login.succeeded']);
    const user = await signUp(t.api);
    await login(t.api, user.email);
    await eventually(async () => receiver.of('login.succeeded', user.id).length === 1);
    const [signedUp] = receiver.of('account.signed-up', user.id);
    expect(signedUp.json).toMatchObject({ type: 'account.signed-up', data: { userId: user.id } });
    expect(signedUp.json.data).not.toHaveProperty('ipAddress');
    expect(receiver.unverified).toEqual([]);
    const deliveries = await eventually(async () => {
      const items = await deliveriesOf(id);
      return items.filter((d: { status: string }) => d.status === 'succeeded').length >= 2 && items;
    });
    const mine = deliveries.find((d: { id: string }) => d.id === signedUp.headers['webhook-id']);
    expect(mine).toMatchObject({
      eventType: 'account.signed-up',
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 204,
    });
    // An event no subscription chose is never in the outbox.
    expect(await t.db.query(`SELECT 1 FROM webhook_outbox`)).toEqual([]);
  });

  it('retries after 500s and timeouts under the same webhook-id, then succeeds', async () => {
    const { id } = await subscribe(['account.signed-up']);
    let calls = 0;
    receiver.answer = () => (++calls === 1 ? 500 : calls === 2 ? 'hold' : 200);
    const user = await signUp(t.api);
    await eventually(async () => receiver.of('account.signed-up', user.id).length === 3, 30_000);
    const ids = new Set(receiver.of('account.signed-up', user.id).map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const [delivery] = await eventually(async () => {
      const items = await deliveriesOf(id);
      return items[0]?.status === 'succeeded' && items;
    });
    expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
  });

  it('fails for good after WEBHOOK_MAX_ATTEMPTS, and an admin can retry it', async () => {
    const { id } = await subscribe(['account.signed-up']);
    receiver.answer = () => 503;
    const user = await signUp(t.api);
    const [failed] = await eventually(async () => {
      const items = await deliveriesOf(id);
      return items[0]?.status === 'failed' && items;
    }, 30_000);
    expect(failed).toMatchObject({ attempts: 3, lastStatusCode: 503, lastError: 'HTTP 503' });
    // Held while the test asks again: the first retry's attempt is still going on.
    receiver.answer = () => 'hold';
    const retried = await call('POST', `/webhooks/${id}/deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('pending');
    expectProblem(await call('POST', `/webhooks/${id}/deliveries/${failed.id}/retry`), 409);
    receiver.answer = () => 200;
    await eventually(async () => (await deliveriesOf(id))[0].status === 'succeeded');
    expect(receiver.of('account.signed-up', user.id).at(-1)!.headers['webhook-id']).toBe(failed.id);
    expectProblem(await call('POST', `/webhooks/${id}/deliveries/${crypto.randomUUID()}/retry`), 404);
  });

  it('disables the subscription when its receiver answers 410, and records why', async () => {
    const { id } = await subscribe(['account.signed-up']);
    receiver.answer = () => 410;
    await signUp(t.api);
    await eventually(async () => (await call('GET', `/webhooks/${id}`)).body.enabled === false);
    expect((await call('GET', `/webhooks/${id}`)).body.disabledReason).toBe('gone');
    expect(receiver.received).toHaveLength(1);
    const events = await t.db.query(
      `SELECT details FROM audit_events WHERE type = 'webhook.disabled' AND details->>'webhookId' = $1`,
      [id],
    );
    expect(events).toEqual([{ details: expect.objectContaining({ disabledReason: 'gone' }) }]);
    // Nothing more goes to it, until an admin enables it again.
    await signUp(t.api);
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.received).toHaveLength(1);
    const enabled = await call('PATCH', `/webhooks/${id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('signs with both secrets during a rotation’s overlap, then with the new one only', async () => {
    const { id, secret: old } = await subscribe(['account.signed-up']);
    const rotated = await call('POST', `/webhooks/${id}/secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(new Date(rotated.body.previousSecretExpiresAt).getTime()).toBeGreaterThan(
      Date.now() + 23 * 3_600_000,
    );
    receiver.secrets = [fresh];
    const first = await signUp(t.api);
    await eventually(async () => receiver.of('account.signed-up', first.id).length === 1);
    const delivered = receiver.of('account.signed-up', first.id)[0];
    expect(String(delivered.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // A receiver still on the old secret verifies it too.
    expect(() =>
      new Webhook(old).verify(delivered.body, delivered.headers as Record<string, string>),
    ).not.toThrow();
    // The overlap over, only the new secret signs.
    await t.db.query(`UPDATE webhook_subscriptions SET previous_secret_expires_at = now() WHERE id = $1`, [
      id,
    ]);
    const second = await signUp(t.api);
    await eventually(async () => receiver.of('account.signed-up', second.id).length === 1);
    const later = receiver.of('account.signed-up', second.id)[0];
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(old).verify(later.body, later.headers as Record<string, string>)).toThrow(
      'No matching signature found',
    );
  });

  it('keeps one account’s order: a later event waits while an earlier one is retried; others do not wait', async () => {
    await subscribe(['account.signed-up', 'login.succeeded']);
    const slow = await signUp(t.api);
    let failedOnce = false;
    receiver.answer = (delivery) => {
      if (
        delivery.json.data.userId === slow.id &&
        delivery.json.type === 'account.signed-up' &&
        !failedOnce
      ) {
        failedOnce = true;
        return 500;
      }
      return 204;
    };
    await eventually(async () => failedOnce);
    await login(t.api, slow.email);
    const other = await signUp(t.api);
    // Another account's event goes while the first account's is retrying.
    await eventually(async () => receiver.of('account.signed-up', other.id).length === 1);
    await eventually(async () => receiver.of('login.succeeded', slow.id).length === 1, 30_000);
    const order = receiver.received
      .filter((r) => r.json.data.userId === slow.id)
      .map((r) => `${r.json.type}`);
    expect(order).toEqual(['account.signed-up', 'account.signed-up', 'login.succeeded']);
  });

  it('lists, changes and deletes subscriptions', async () => {
    const a = await subscribe(['account.deleted']);
    const b = await subscribe(['account.suspended']);
    const page = await call('GET', '/webhooks?limit=1');
    expect(page.body.items.map((s: { id: string }) => s.id)).toEqual([b.id]);
    expect(page.headers.get('link')).toContain('cursor=');
    const changed = await call('PATCH', `/webhooks/${a.id}`, {
      events: ['account.deleted', 'email.verified'],
    });
    expect(changed.body.events).toEqual(['account.deleted', 'email.verified']);
    expect((await call('DELETE', `/webhooks/${a.id}`)).status).toBe(204);
    expectProblem(await call('GET', `/webhooks/${a.id}`), 404);
    expectProblem(await call('GET', `/webhooks/${a.id}/deliveries`), 404);
  });
});

describe('webhooks: where they may go (e2e)', () => {
  let t: TestApp;
  let admin: Tokens;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    // The defaults: https only, public addresses only.
    t = await startTestApp({ WEBHOOK_RETRY_DELAY_SECONDS: '1', WEBHOOK_MAX_ATTEMPTS: '2' });
    admin = (await aSignedInAdmin(t)).tokens;
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await receiver.stop();
    await t.close();
  });

  const create = (url: string) =>
    t.http.request('POST', '/api/v1/webhooks', {
      token: admin.accessToken,
      body: { url, events: ['account.signed-up'] },
    });

  it.each([
    ['http://hooks.example.com/in', 'https'],
    ['https://127.0.0.1/in', 'public addresses'],
    ['https://[::1]/in', 'public addresses'],
    ['https://169.254.169.254/latest/meta-data/', 'public addresses'],
    ['https://10.0.0.8/in', 'public addresses'],
    ['https://[::ffff:127.0.0.1]/in', 'public addresses'],
    ['https://user:secret@hooks.example.com/in', 'user name'],
    ['https://does-not-exist.invalid/in', 'does not resolve'],
  ])('refuses %s at creation, saying why at #/url', async (url, words) => {
    const problem = expectProblem(await create(url), 400);
    expect(problem.errors).toEqual([{ pointer: '#/url', detail: expect.stringContaining(words) }]);
  });

  it('refuses a name whose DNS answers a private address, at creation and again at delivery', async () => {
    const resolver = t.app.get(WebhookResolver, { strict: false });
    const dns = jest.spyOn(resolver, 'resolve');
    dns.mockResolvedValue([{ address: '10.1.2.3', family: 4 }]);
    expect(expectProblem(await create('https://internal.example.com/in'), 400).errors[0].detail).toContain(
      '10.1.2.3',
    );

    // Public when it is made; private (rebinding) when the delivery is attempted.
    dns.mockResolvedValue([{ address: '93.184.215.14', family: 4 }]);
    const created = await create('https://rebinding.example.com/in');
    expect(created.status).toBe(201);
    dns.mockResolvedValue([{ address: '127.0.0.1', family: 4 }]);
    await signUp(t.api);
    const [delivery] = await eventually(async () => {
      const items = (
        await t.http.request('GET', `/api/v1/webhooks/${created.body.id}/deliveries`, {
          token: admin.accessToken,
        })
      ).body.items;
      return items[0]?.status === 'failed' && items;
    }, 30_000);
    expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: null });
    expect(delivery.lastError).toMatch(/^refused: .*127\.0\.0\.1/);
    expect(receiver.received).toEqual([]);
  });
});

describe('webhooks: a worker that dies during a delivery (e2e)', () => {
  let t: TestApp;
  let admin: Tokens;
  let receiver: WebhookReceiver;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    await run('npm', ['run', '--silent', 'build'], { timeout: 120_000 });
    // This app only queues: the workers are processes of their own, as with `npm run worker`.
    t = await startTestApp({ ...DEVELOPMENT, JOBS_WORKERS_ENABLED: 'false' });
    admin = (await aSignedInAdmin(t)).tokens;
    receiver = await new WebhookReceiver().start();
  }, 180_000);
  afterEach(() => killAll(children));
  afterAll(async () => {
    await receiver.stop();
    await t.close();
  });

  const worker = () => {
    const child = spawn(process.execPath, ['dist/src/worker.js'], {
      env: { ...process.env, DATABASE_URL: t.databaseUrl, ...DEVELOPMENT, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  };

  it('delivers once or twice, never zero times, under the same webhook-id', async () => {
    const created = await t.http.request('POST', '/api/v1/webhooks', {
      token: admin.accessToken,
      body: { url: receiver.url, events: ['account.signed-up'] },
    });
    receiver.secrets = [created.body.secret];
    const first = worker();
    // The first attempt reaches the receiver, which holds it while its worker is killed.
    receiver.answer = () => {
      if (first.exitCode === null && first.signalCode === null) {
        first.kill('SIGKILL');
        return 'hold';
      }
      return 204;
    };
    const user = await signUp(t.api);
    await eventually(async () => first.signalCode === 'SIGKILL', 30_000);
    worker();
    // The job of the dead worker expires (WEBHOOK_TIMEOUT_MS + 10 s) and the other worker retries it.
    await eventually(async () => receiver.of('account.signed-up', user.id).length === 2, 60_000);
    const ids = new Set(receiver.of('account.signed-up', user.id).map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const [delivery] = await eventually(async () => {
      const items = (
        await t.http.request('GET', `/api/v1/webhooks/${created.body.id}/deliveries`, {
          token: admin.accessToken,
        })
      ).body.items;
      return items[0]?.status === 'succeeded' && items;
    });
    expect(delivery.attempts).toBe(2);
  }, 90_000);
});
