import { randomInt } from 'node:crypto';
import { bearer, send } from '../support/api-client.js';
import { aUser, expectProblem, login, signUp } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Two instances behind one address, on one PostgreSQL and one Redis (both run on this machine):
 * what one instance knows, the other knows too.
 */
describe('several instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  // A Redis database of this run's own, so that other runs' counters stay apart.
  const env = {
    // Databases 5 to 8 belong to suites that empty theirs before they start (test/support/redis.ts).
    REDIS_URL: `redis://127.0.0.1:6379/${randomInt(9, 16)}`,
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_LOGIN_PER_MINUTE: '4',
    AUTH_LOCKOUT_THRESHOLD: '3',
    TRUST_PROXY: 'true',
  };
  beforeAll(async () => {
    a = await startTestApp(env);
    b = await startTestApp(env, { databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  // First: the login limit below is spent by the next test.
  it('refresh on one instance a session started on the other', async () => {
    const user = await signUp(a.api);
    const tokens = await login(a.api, user.email, user.password);
    const refreshed = await send(
      b.api.POST('/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } }),
    );
    expect(refreshed.status).toBe(200);
    const me = await send(a.api.GET('/api/v1/users/me', bearer(refreshed.data!.accessToken)));
    expect(me.body).toMatchObject({ id: user.id });
  });

  it('share one login limit through Redis', async () => {
    // Alternating between the instances, each sees half the attempts: only a shared counter
    // reaches the limit of 4 per address within 5 attempts (one login was spent above).
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = i % 2 === 0 ? a : b;
      const response = await t.http.post('/auth/login', {
        body: { email: `shared-${i}-${Date.now()}@example.com`, password: 'wrong password 1' },
      });
      statuses.push(response.status);
    }
    expect(statuses.indexOf(429)).toBeGreaterThan(-1);
    expect(statuses.indexOf(429)).toBeLessThanOrEqual(4);
    expect(statuses.slice(statuses.indexOf(429))).toEqual(Array(8 - statuses.indexOf(429)).fill(429));
  });

  it('share the lock on an email after failed logins', async () => {
    // The per-address limit is spent above; these come from other addresses (TRUST_PROXY is on).
    const user = await signUp(a.api);
    const attempt = (t: TestApp, i: number) =>
      t.http.post('/auth/login', {
        body: { email: user.email, password: `wrong guess ${i}` },
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt(i % 2 === 0 ? a : b, i)).status);
    // Three failures lock the email, whichever instance saw them; the fourth is refused on b.
    expect(statuses).toEqual([401, 401, 401, 429]);
    const onA = await a.http.post('/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-forwarded-for': '198.51.100.99' },
    });
    expect(onA.status).toBe(429);
    expect(Number(onA.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('check Redis in readiness', async () => {
    for (const t of [a, b])
      expect((await t.http.get('/health/ready')).body.details.redis).toEqual({ status: 'up' });
  });
});

describe('an instance whose Redis is away (e2e)', () => {
  it('answers 503 with Retry-After, not 500, and is not ready', async () => {
    const t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_ENABLED: 'true' });
    try {
      const serverError = 503;
      for (const response of [
        await t.http.post('/users', { body: aUser(), serverError }),
        await t.http.post('/auth/login', {
          body: { email: 'a@example.com', password: 'whatever it is 1' },
          serverError,
        }),
        await t.http.get('/users/me', { token: 'x.y.z', serverError }),
      ]) {
        expectProblem(response, 503);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expectProblem(await t.http.get('/health/ready', { serverError }), 503);
    } finally {
      await t.close();
    }
  });
});
