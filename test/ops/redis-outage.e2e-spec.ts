import { bearer, send } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { aSignedInUser, aUser, expectProblem, PASSWORD } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { describeWithRedis, startRedisServer } from '../support/redis.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Redis stopped under a running instance, then started again on the same port (docs/operations.md, "When Redis
 * is away"): the instance stays ready and serves reads, the routes whose safety needs a shared
 * counter refuse with 503, and the lock counts again once Redis is back.
 */
describeWithRedis('when Redis goes away and comes back (e2e)', () => {
  let redis: NonNullable<Awaited<ReturnType<typeof startRedisServer>>>;
  let t: TestApp;
  beforeAll(async () => {
    redis = (await startRedisServer())!;
    t = await startTestApp({
      REDIS_URL: redis.url,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      AUTH_LOCKOUT_THRESHOLD: '3',
    });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const serverError = 503;
  const ready = () => t.http.get('/health/ready');
  const metric = async (name: string) =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await t.http.get('/metrics')).text)?.[1]);
  const loginAs = (email: string, password: string) =>
    t.http.post('/auth/login', { body: { email, password }, serverError });
  const expectRefused = (response: HttpResponse) => {
    expectProblem(response, 503);
    expect(response.body.type).toBe('/problems/dependency-unavailable');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('serves reads and refuses guessing-sensitive routes while Redis is away, and counts again once it is back', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const admin = await aSignedInAdmin(t);
    expect(await metric('redis_up')).toBe(1);

    await redis.stop();
    await eventually(async () => (await ready()).body.details?.redis?.status === 'down');

    // Ready, with Redis reported: the load balancer keeps the instance.
    const readiness = await ready();
    expect(readiness.status).toBe(200);
    expect(readiness.body).toMatchObject({ status: 'ok', error: { redis: { status: 'down' } } });
    expect(await metric('redis_up')).toBe(0);

    // Reads serve, their per-address limit counted in this instance.
    const fallbacks = await metric('rate_limit_fallback_total');
    expect((await send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)))).status).toBe(200);
    expect((await send(t.api.GET('/api/v1/users', bearer(admin.tokens.accessToken)))).status).toBe(200);
    expect(await metric('rate_limit_fallback_total')).toBeGreaterThanOrEqual(fallbacks + 2);

    // Whatever needs a shared counter refuses: a burst of guesses checks no password at all (a
    // checked one would be a 401), and the right password is refused too.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => loginAs(user.email, `wrong guess ${i}`)),
    );
    for (const answer of burst) expectRefused(answer);
    expectRefused(await loginAs(user.email, PASSWORD));
    expectRefused(await t.http.post('/users', { body: aUser(), serverError }));
    expectRefused(await t.http.post('/auth/forgot-password', { body: { email: user.email }, serverError }));
    expectRefused(
      await t.http.post('/auth/change-password', {
        token: tokens.accessToken,
        body: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase 7' },
        serverError,
      }),
    );

    // Back on the same port: the instance reconnects by itself, and the lock counts again.
    redis = (await startRedisServer(redis.port))!;
    await eventually(async () => (await ready()).body.details?.redis?.status === 'up');
    expect(await metric('redis_up')).toBe(1);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await loginAs(user.email, `wrong again ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await loginAs(user.email, PASSWORD)).status).toBe(429);
  }, 60_000);
});

describeWithRedis('an instance that starts while Redis is away (e2e)', () => {
  it('is ready, serves, and refuses sign-in and sign-up with 503 until Redis answers', async () => {
    // Port 1: nothing listens there, so every connection attempt is refused at once.
    const t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_ENABLED: 'true' });
    try {
      const serverError = 503;
      expect((await t.http.get('/health/ready')).body.error.redis).toMatchObject({ status: 'down' });
      expect((await t.http.get('/users/me', { token: 'x.y.z' })).status).toBe(401);
      for (const response of [
        await t.http.post('/users', { body: aUser(), serverError }),
        await t.http.post('/auth/login', {
          body: { email: 'a@example.com', password: 'whatever it is 1' },
          serverError,
        }),
      ]) {
        expectProblem(response, 503);
        expect(response.body.type).toBe('/problems/dependency-unavailable');
      }
    } finally {
      await t.close();
    }
  });
});
