import { jest } from '@jest/globals';
import { Clock } from '../../src/common/clock.js';
import { aUser, expectProblem, login, signUp } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const wrongLogin = (t: TestApp, email: string, headers: Record<string, string> = {}) =>
  t.http.post('/auth/login', { body: { email, password: 'wrong password 123' }, headers });

describe('rate limits (e2e)', () => {
  describe('email lockout', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
        AUTH_LOCKOUT_THRESHOLD: '3',
        AUTH_LOCKOUT_DURATION: '1m',
      });
    });
    afterEach(() => jest.restoreAllMocks());
    afterAll(async () => {
      await t.close();
    });

    it('locks an email after repeated failures, with Retry-After, even for the right password; longer each time', async () => {
      const user = await signUp(t.api);
      for (let i = 0; i < 3; i++) expectProblem(await wrongLogin(t, user.email), 401);
      const locked = await t.http.post('/auth/login', {
        body: { email: user.email, password: user.password },
      });
      expect(expectProblem(locked, 429).type).toBe('/problems/too-many-requests');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);

      const clock = t.app.get(Clock);
      jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 61_000));
      for (let i = 0; i < 3; i++) expectProblem(await wrongLogin(t, user.email), 401);
      const relocked = await wrongLogin(t, user.email);
      expectProblem(relocked, 429);
      expect(Number(relocked.headers.get('retry-after'))).toBeGreaterThan(110);
    });

    it('locks unknown emails the same way, so the lock tells nothing', async () => {
      const ghost = `ghost-${Date.now()}@example.com`;
      for (let i = 0; i < 3; i++) expectProblem(await wrongLogin(t, ghost), 401);
      expectProblem(await wrongLogin(t, ghost), 429);
    });

    it('forgets failures after a successful login', async () => {
      const user = await signUp(t.api);
      for (let i = 0; i < 2; i++) expectProblem(await wrongLogin(t, user.email), 401);
      await login(t.api, user.email, user.password);
      for (let i = 0; i < 2; i++) expectProblem(await wrongLogin(t, user.email), 401);
      await login(t.api, user.email, user.password);
    });
  });

  describe('per client address', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_LOGIN_PER_MINUTE: '5',
        RATE_LIMIT_SIGNUP_PER_HOUR: '3',
        AUTH_LOCKOUT_THRESHOLD: '1000',
      });
    });
    afterAll(async () => {
      await t.close();
    });

    it('limits login attempts, ignoring X-Forwarded-For without TRUST_PROXY', async () => {
      const responses = [];
      for (let i = 0; i < 7; i++) {
        responses.push(await wrongLogin(t, `spray-${i}@example.com`, { 'x-forwarded-for': `10.0.0.${i}` }));
      }
      const statuses = responses.map((r) => r.status);
      const throttled = responses.filter((r) => r.status === 429);
      for (const response of throttled) expectProblem(response, 429);
      expect(throttled.map((r) => Number(r.headers.get('retry-after')) > 0)).toEqual([true, true]);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    });

    it('limits sign-ups', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.http.post('/users', { body: aUser() })).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
    });
  });

  describe('the general budget of every other route', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_MINUTE: '3' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('counts every request of an address, says what is left in X-RateLimit-*, then answers 429', async () => {
      const responses = [];
      for (let i = 0; i < 4; i++) responses.push(await t.http.get('/users/me'));
      expect(responses.slice(0, 3).map((r) => r.status)).toEqual([401, 401, 401]);
      expect(responses.slice(0, 3).map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual([
        '2',
        '1',
        '0',
      ]);
      for (const response of responses.slice(0, 3)) {
        expect(response.headers.get('x-ratelimit-limit')).toBe('3');
        expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      }
      const refused = responses[3];
      expect(expectProblem(refused, 429).type).toBe('about:blank');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Health and metrics are never limited: probes must always get through.
      expect((await t.http.get('/health/live')).status).toBe(200);
    });
  });

  describe('behind a trusted proxy', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_LOGIN_PER_MINUTE: '2',
        TRUST_PROXY: 'true',
      });
    });
    afterAll(async () => {
      await t.close();
    });

    it('counts each forwarded client address on its own', async () => {
      const from = (address: string) => ({ 'x-forwarded-for': address });
      const statuses = async (address: string, times: number) => {
        const seen = [];
        for (let i = 0; i < times; i++)
          seen.push((await wrongLogin(t, `proxy-${address}-${i}@example.com`, from(address))).status);
        return seen;
      };
      // Two attempts a minute per address: the third from one address is refused, another's first is not.
      expect(await statuses('203.0.113.1', 3)).toEqual([401, 401, 429]);
      expect(await statuses('203.0.113.2', 3)).toEqual([401, 401, 429]);
      expect(await statuses('203.0.113.3', 1)).toEqual([401]);
    });
  });

  describe('account emails', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_EMAIL_PER_HOUR: '5',
        RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR: '2',
        TRUST_PROXY: 'true',
      });
    });
    afterAll(async () => {
      await t.close();
    });
    const forgot = (email: string, from: string) =>
      t.http.post('/auth/forgot-password', { body: { email }, headers: { 'x-forwarded-for': from } });

    it('limits reset emails per email address, known or not, whatever the client address', async () => {
      const user = await signUp(t.api);
      for (const email of [user.email, aUser().email]) {
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push(await forgot(email.toUpperCase(), `198.51.100.${i}`));
        expect(statuses.map((r) => r.status)).toEqual([202, 202, 429]);
        expectProblem(statuses[2], 429);
        expect(Number(statuses[2].headers.get('retry-after'))).toBeGreaterThan(0);
      }
    });

    it('limits reset emails per client address, whatever the email', async () => {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await forgot(aUser().email, '192.0.2.77')).status);
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    });

    it('limits verification resends per account', async () => {
      const user = await signUp(t.api);
      const { accessToken } = await login(t.api, user.email, user.password);
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const response = await t.http.post('/auth/verify-email/resend', {
          token: accessToken,
          headers: { 'x-forwarded-for': `203.0.113.${100 + i}` },
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([202, 202, 429]);
    });
  });

  describe('with RATE_LIMIT_ENABLED=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        RATE_LIMIT_ENABLED: 'false',
        RATE_LIMIT_LOGIN_PER_MINUTE: '1',
        AUTH_LOCKOUT_THRESHOLD: '1',
      });
    });
    afterAll(async () => {
      await t.close();
    });

    it('never throttles', async () => {
      const user = await signUp(t.api);
      for (let i = 0; i < 3; i++) expectProblem(await wrongLogin(t, user.email), 401);
      await login(t.api, user.email, user.password);
    });
  });
});
