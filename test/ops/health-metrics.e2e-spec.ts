import { expectProblem, signUp } from '../support/factories.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { metricsConfig, MetricsEnvironment } from '../../src/config/metrics.config.js';

describe('health and metrics (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers liveness and readiness, unversioned and without a token', async () => {
    expect((await t.http.get('/health/live')).body).toMatchObject({ status: 'ok' });
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details).toMatchObject({ database: { status: 'up' }, shutdown: { status: 'up' } });
  });

  it('serves Prometheus text with request durations by route template, process and pool metrics', async () => {
    const user = await signUp(t.api);
    await t.http.get(`/api/v1/users/${user.id}`);
    const response = await t.http.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/# TYPE http_request_duration_seconds histogram/);
    expect(response.text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/users",status="201"\} \d+/,
    );
    expect(response.text).toContain('route="/api/v1/users/:id",status="401"');
    expect(response.text).not.toContain(user.id);
    expect(response.text).toMatch(/nodejs_eventloop_lag_seconds/);
    expect(response.text).toMatch(/db_pool_connections\{state="total"\} \d+/);
  });

  it('counts job attempts by queue and outcome, and shows each queue’s depth', async () => {
    await signUp(t.api);
    const metrics = await eventually(async () => {
      const text = (await t.http.get('/metrics')).text;
      return /jobs_attempts_total\{queue="account-email",outcome="completed"\} [1-9]/.test(text) && text;
    });
    for (const state of ['queued', 'active', 'failed']) {
      expect(metrics).toMatch(
        new RegExp(`jobs_queue_depth\\{queue="account-email",state="${state}"\\} \\d+`),
      );
    }
    expect(metrics).toMatch(/jobs_queue_depth\{queue="account-email.dead",state="queued"\} \d+/);
  });

  it('turns readiness to 503 as soon as shutdown begins, while liveness stays 200', async () => {
    // Its own app: this one is shut down the way a signal shuts it down (Nest's lifecycle).
    const closing = await startTestApp({ SHUTDOWN_GRACE_MS: '3000' });
    expect((await closing.http.get('/health/ready')).status).toBe(200);
    const closed = closing.close();
    const serverError = 503;
    await eventually(
      async () => (await closing.http.get('/health/ready', { serverError })).status === 503,
      2_000,
    );
    const ready = await closing.http.get('/health/ready', { serverError });
    expectProblem(ready, 503);
    expect(ready.headers.get('connection')).toBe('close');
    expect((await closing.http.get('/health/live')).status).toBe(200);
    await closed;
  });
});

describe('job metrics when the mail server is away (e2e)', () => {
  const attempts = async (t: TestApp) =>
    Object.fromEntries(
      [
        ...(await t.http.get('/metrics')).text.matchAll(
          /jobs_attempts_total\{queue="account-email",outcome="(\w+)"\} (\d+)/g,
        ),
      ].map(([, outcome, n]) => [outcome, Number(n)]),
    );

  it('counts the failed attempts, and a reset for an unknown address fails as a known one’s does', async () => {
    const t = await startTestApp({ SMTP_URL: 'smtp://127.0.0.1:9', JOBS_RETRY_DELAY_SECONDS: '60' });
    try {
      const user = await signUp(t.api);
      await eventually(async () => (await attempts(t)).failed === 1);
      // Once, a reset for an unknown address completed while a known one's failed: the job metrics
      // told whether an address has an account.
      for (const email of [user.email, `nobody-${Date.now()}@example.com`])
        expect((await t.http.post('/auth/forgot-password', { body: { email } })).status).toBe(202);
      await eventually(async () => (await attempts(t)).failed === 3);
      expect(await attempts(t)).toEqual({ failed: 3 });
    } finally {
      await t.close();
    }
  });
});

describe('metrics on METRICS_PORT (e2e)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    t = await startTestApp({ METRICS_PORT: String(port) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves them on that port alone, without a token, and not on the public one', async () => {
    expectProblem(await t.http.get('/metrics'), 404);
    const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('http_request_duration_seconds');
    for (const path of ['/', '/health/live', '/api/v1/users/me', '/metrics/x'])
      expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});

describe('metrics on METRICS_PORT and METRICS_HOST (e2e)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    t = await startTestApp({ METRICS_PORT: String(port), METRICS_HOST: '127.0.0.2' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('listens on METRICS_HOST alone (loopback, 127.0.0.1, unless set): the unauthenticated port is not on every interface', async () => {
    expect((await fetch(`http://127.0.0.2:${port}/metrics`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    expect(metricsConfig.build(new MetricsEnvironment()).host).toBe('127.0.0.1');
  });
});

describe('metrics behind METRICS_TOKEN (e2e)', () => {
  let t: TestApp;
  const token = 'a-metrics-token-of-some-length';
  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: token });
  });
  afterAll(async () => {
    await t.close();
  });

  it('needs the token', async () => {
    expectProblem(await t.http.get('/metrics'), 401);
    expectProblem(await t.http.get('/metrics', { token: 'wrong-token-of-the-same-size!!' }), 401);
    expect((await t.http.get('/metrics', { token })).status).toBe(200);
  });
});
