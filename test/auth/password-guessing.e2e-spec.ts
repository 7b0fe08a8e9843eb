import { aSignedInUser, expectProblem, PASSWORD, signUp } from '../support/factories.js';
import { describeWithRedis, freshRedisDatabase } from '../support/redis.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Guessing a password, as the adversarial probe did it: bursts over two instances sharing Redis,
 * other spellings of the address, and the other doors that check a password.
 */
describeWithRedis('guessing passwords (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = {
      // A Redis database of its own: other suites share this Redis server.
      REDIS_URL: await freshRedisDatabase(6),
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR: '2',
      AUTH_LOCKOUT_THRESHOLD: '5',
      TRUST_PROXY: 'true',
    };
    a = await startTestApp(env);
    b = await startTestApp(env, { databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const login = (t: TestApp, email: string, password: string, from = '203.0.113.1') =>
    t.http.post('/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': from } });
  const tally = (statuses: number[]) =>
    statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});

  it.each([40, 200])(
    'verifies at most AUTH_LOCKOUT_THRESHOLD of %d wrong passwords sent at once to two instances, each from its own address',
    async (burst) => {
      const user = await signUp(a.api);
      const answers = await Promise.all(
        Array.from({ length: burst }, (_, i) =>
          login(i % 2 ? a : b, user.email, `wrong guess ${i}`, `198.51.${i >> 8}.${i & 255}`),
        ),
      );
      // A 401 is a password that was checked; a 429 one that never was.
      expect(tally(answers.map((r) => r.status))).toEqual({ 401: 5, 429: burst - 5 });
      for (const refused of answers.filter((r) => r.status === 429)) expectProblem(refused, 429);
      expect((await login(a, user.email, PASSWORD)).status).toBe(429);
    },
    60_000,
  );

  it('counts every spelling of an address on one lock, and tells another address apart', async () => {
    const user = await signUp(a.api, { email: `rt-alice-${Date.now()}@example.com` });
    for (let i = 0; i < 5; i++) await login(a, user.email, `wrong ${i}`);
    const [local, domain] = user.email.split('@');
    const fullWidth = [...local].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    for (const spelling of [
      user.email.toUpperCase(),
      ` ${user.email} `,
      `${fullWidth.replace(/\uff0d/g, '-')}@${domain}`,
    ])
      expectProblem(await login(b, spelling, PASSWORD), 429);
    // With U+0130 (İ) the address is another one, as it is for the unique index: no account has it.
    const dotted = user.email.replace('alice', 'al\u0130ce');
    expectProblem(await login(a, dotted, PASSWORD), 401);
  });

  it('counts a wrong current password on change-password toward the same lock', async () => {
    const { user, tokens } = await aSignedInUser(a.api);
    const change = (currentPassword: string) =>
      a.http.post('/auth/change-password', {
        token: tokens.accessToken,
        body: { currentPassword, newPassword: 'a brand new passphrase 9' },
      });
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await change(`stolen token guess ${i}`)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    // The right one waits out the lock too, and so does a login with it.
    expectProblem(await change(PASSWORD), 429);
    expectProblem(await login(b, user.email, PASSWORD), 429);
  });

  it('limits reset emails per address whatever its spelling', async () => {
    const user = await signUp(a.api);
    const forgot = (email: string, from: string) =>
      a.http.post('/auth/forgot-password', { body: { email }, headers: { 'x-forwarded-for': from } });
    expect((await forgot(user.email, '192.0.2.1')).status).toBe(202);
    expect((await forgot(user.email.toUpperCase(), '192.0.2.2')).status).toBe(202);
    expectProblem(await forgot(` ${user.email.replace('user', 'ＵＳＥＲ')}`, '192.0.2.3'), 429);
  });

  it('makes a locked admin visible, and lets another admin lift the lock on any instance', async () => {
    const locked = await aSignedInAdmin(a);
    const other = await aSignedInAdmin(b);
    const locks = async () =>
      Number(/^auth_locks_total (\d+)$/m.exec((await a.http.get('/metrics')).text)?.[1] ?? 0);
    const before = await locks();
    for (let i = 0; i < 5; i++) await login(a, locked.user.email, `wrong ${i}`);
    expectProblem(await login(a, locked.user.email, PASSWORD), 429);
    // Counted, but without a label that would tell whether the address has an account.
    expect(await locks()).toBe(before + 1);
    expect((await a.http.get('/metrics')).text).not.toMatch(/^auth_locks_total\{/m);

    const unlock = (t: TestApp, id: string, token: string) =>
      t.http.delete(`/users/${id}/login-lock`, { token });
    const { tokens: userTokens } = await aSignedInUser(b.api);
    expectProblem(await unlock(b, locked.user.id, userTokens.accessToken), 403);
    expectProblem(await unlock(b, '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', other.tokens.accessToken), 404);
    expect((await unlock(b, locked.user.id, other.tokens.accessToken)).status).toBe(204);
    expect((await login(a, locked.user.email, PASSWORD)).status).toBe(200);
  });
});
