import { bearer, send } from '../support/api-client.js';
import { login, signUp } from '../support/factories.js';
import { describeWithRedis, freshRedisDatabase } from '../support/redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Two instances behind one address, on one PostgreSQL and one Redis (both run on this machine):
 * what one instance knows, the other knows too.
 */
describeWithRedis('several instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  const env = {
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_LOGIN_PER_MINUTE: '4',
    AUTH_LOCKOUT_THRESHOLD: '3',
    TRUST_PROXY: 'true',
  };
  beforeAll(async () => {
    Object.assign(env, { REDIS_URL: await freshRedisDatabase(9) });
    a = await startTestApp(env);
    b = await startTestApp(env, { databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

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
    // refuses the fifth attempt from one client address (limit 4), whatever other tests spent.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = i % 2 === 0 ? a : b;
      const response = await t.http.post('/auth/login', {
        body: { email: `shared-${i}-${Date.now()}@example.com`, password: 'wrong password 1' },
        headers: { 'x-forwarded-for': '203.0.113.40' },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429, 429]);
  });

  it('share the lock on an email after failed logins', async () => {
    // Each attempt from an address of its own (TRUST_PROXY is on): only the lock on the email counts.
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
