import { eventually } from '../support/eventually.js';
import { bearer, send } from '../support/api-client.js';
import { aSignedInUser, expectProblem, login, PASSWORD, type Tokens } from '../support/factories.js';
import { accountEmailJobsSettled } from '../support/jobs.js';
import { SmtpSink, tokenIn, type ReceivedMail } from '../support/smtp-sink.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'https://accounts.example.test';
const isReset = (m: ReceivedMail) => m.subject === 'Reset your password';

// Mail goes through the job queue and a real SMTP server: seconds, not milliseconds.
import.meta.jest.setTimeout(30_000);

describe('admin operations: suspension, password reset, the last admin (e2e)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({ SMTP_URL: sink.url, APP_PUBLIC_URL: PUBLIC_URL, JOBS_RETRY_DELAY_SECONDS: '1' });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  const me = (tokens: Tokens) => send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)));
  const suspend = (id: string, token: string, reason = 'Chargeback fraud; ticket OPS-1432') =>
    t.http.post(`/users/${id}/suspend`, { token, body: { reason } });
  const unsuspend = (id: string, token: string) => t.http.post(`/users/${id}/unsuspend`, { token });
  const adminReset = (id: string, token: string) => t.http.post(`/users/${id}/password-reset`, { token });
  const loginAnswer = (email: string, password: string) =>
    send(t.api.POST('/api/v1/auth/login', { body: { email, password } }));

  describe('suspension', () => {
    it('ends every session at once and answers a correct password with 403, a wrong one with the usual 401', async () => {
      const admin = await aSignedInAdmin(t);
      const { user, tokens: s1 } = await aSignedInUser(t.api);
      const s2 = await login(t.api, user.email);

      const answer = await suspend(user.id, admin.tokens.accessToken);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        id: user.id,
        status: 'suspended',
        suspensionReason: 'Chargeback fraud; ticket OPS-1432',
        suspendedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      for (const s of [s1, s2]) {
        expectProblem(await me(s), 401);
        expectProblem(
          await send(t.api.POST('/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })),
          401,
        );
      }
      const refused = expectProblem(await loginAnswer(user.email, PASSWORD), 403);
      expect(refused).toMatchObject({ type: '/problems/account-suspended' });
      expect(JSON.stringify(refused)).not.toContain('OPS-1432');
      expectProblem(await loginAnswer(user.email, 'not the password at all 7'), 401);
      const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [
        user.id,
      ]);
      expect(n).toBe(0);
      // The admin sees the suspension on the user.
      expect((await t.http.get(`/users/${user.id}`, { token: admin.tokens.accessToken })).body).toMatchObject(
        {
          status: 'suspended',
          suspensionReason: 'Chargeback fraud; ticket OPS-1432',
        },
      );
    });

    it('keeps the first time and reason when suspended again, and lets the user in again once lifted', async () => {
      const admin = await aSignedInAdmin(t);
      const { user } = await aSignedInUser(t.api);
      const first = (await suspend(user.id, admin.tokens.accessToken, 'first reason')).body;
      const again = await suspend(user.id, admin.tokens.accessToken, 'second reason');
      expect(again.body).toEqual(first);

      const lifted = await unsuspend(user.id, admin.tokens.accessToken);
      expect(lifted.status).toBe(200);
      expect(lifted.body).toMatchObject({ status: 'active', suspendedAt: null, suspensionReason: null });
      expect((await me(await login(t.api, user.email))).status).toBe(200);
      expect((await unsuspend(user.id, admin.tokens.accessToken)).body).toEqual(lifted.body);
    });

    it('refuses the reset link of a suspended account, before and after the unsuspension; sends none to it', async () => {
      const admin = await aSignedInAdmin(t);
      const { user } = await aSignedInUser(t.api);
      expect((await adminReset(user.id, admin.tokens.accessToken)).status).toBe(202);
      const link = tokenIn(await sink.waitForMail(user.email, isReset), 'reset-password', PUBLIC_URL);
      await suspend(user.id, admin.tokens.accessToken);

      const reset = () =>
        send(
          t.api.POST('/api/v1/auth/reset-password', {
            body: { token: link, newPassword: 'a brand new passphrase 7' },
          }),
        );
      expect(expectProblem(await reset(), 403).type).toBe('/problems/account-suspended');
      // Reset links only: the suspension's own notice (a security notice, with no link) may arrive meanwhile.
      const resetMails = () => sink.mailsTo(user.email).filter(isReset);
      const before = resetMails().length;
      expect(
        (await send(t.api.POST('/api/v1/auth/forgot-password', { body: { email: user.email } }))).status,
      ).toBe(202);
      expect(expectProblem(await adminReset(user.id, admin.tokens.accessToken), 409).type).toBe(
        '/problems/user-suspended',
      );
      await accountEmailJobsSettled(t.db, `data->>'email' = $1`, [user.email]);
      expect(resetMails()).toHaveLength(before);

      // Unsuspended, the link mailed before the suspension stays dead (I5): the suspension revoked it.
      await unsuspend(user.id, admin.tokens.accessToken);
      expect(expectProblem(await reset(), 400).type).toBe('/problems/validation-failed');
      expect((await loginAnswer(user.email, 'a brand new passphrase 7')).status).toBe(401);
      // A link mailed after the unsuspension works.
      expect((await adminReset(user.id, admin.tokens.accessToken)).status).toBe(202);
      const fresh = tokenIn(await eventually(async () => resetMails()[before]), 'reset-password', PUBLIC_URL);
      const again = await send(
        t.api.POST('/api/v1/auth/reset-password', {
          body: { token: fresh, newPassword: 'a brand new passphrase 7' },
        }),
      );
      expect(again.status).toBe(204);
      expect((await loginAnswer(user.email, 'a brand new passphrase 7')).status).toBe(200);
    });

    it('is for admins only; an unknown user is a 404 and a reason is required', async () => {
      const admin = await aSignedInAdmin(t);
      const { user, tokens } = await aSignedInUser(t.api);
      const other = await aSignedInUser(t.api);
      expectProblem(await suspend(other.user.id, tokens.accessToken), 403);
      expectProblem(await unsuspend(other.user.id, tokens.accessToken), 403);
      expect((await me(other.tokens)).status).toBe(200);
      expectProblem(await suspend('0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', admin.tokens.accessToken), 404);
      for (const body of [
        {},
        { reason: '' },
        { reason: '   ' },
        { reason: 'x'.repeat(501) },
        { reason: 'a\u202eb' },
      ]) {
        const answer = await t.http.post(`/users/${user.id}/suspend`, {
          token: admin.tokens.accessToken,
          body,
        });
        expect(new Set(expectProblem(answer, 400).errors.map((e: { pointer: string }) => e.pointer))).toEqual(
          new Set(['#/reason']),
        );
      }
      expect((await me(tokens)).status).toBe(200);
    });
  });

  describe('password reset by an admin', () => {
    it('mails the user a link that works once, and changes nothing until it is used', async () => {
      const admin = await aSignedInAdmin(t);
      const { user, tokens } = await aSignedInUser(t.api);
      expect((await adminReset(user.id, admin.tokens.accessToken)).status).toBe(202);
      const link = tokenIn(await sink.waitForMail(user.email, isReset), 'reset-password', PUBLIC_URL);
      expect((await me(tokens)).status).toBe(200);
      expect((await loginAnswer(user.email, PASSWORD)).status).toBe(200);
      const newPassword = 'chosen by the user 42 today';
      const reset = () =>
        send(t.api.POST('/api/v1/auth/reset-password', { body: { token: link, newPassword } }));
      expect((await reset()).status).toBe(204);
      expectProblem(await reset(), 400);
      expectProblem(await me(tokens), 401);
    });

    it('is for admins only, and a 404 for an unknown user', async () => {
      const admin = await aSignedInAdmin(t);
      const { user, tokens } = await aSignedInUser(t.api);
      expectProblem(await adminReset(user.id, tokens.accessToken), 403);
      expectProblem(await adminReset('0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', admin.tokens.accessToken), 404);
      expectProblem(await t.http.post(`/users/${user.id}/password-reset`), 401);
    });

    it("shares forgot-password's per-address limit", async () => {
      const limited = await startTestApp({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR: '3',
      });
      try {
        const admin = await aSignedInAdmin(limited);
        const { user } = await aSignedInUser(limited.api);
        const forgot = () => limited.http.post('/auth/forgot-password', { body: { email: user.email } });
        const reset = () =>
          limited.http.post(`/users/${user.id}/password-reset`, { token: admin.tokens.accessToken });
        expect([(await forgot()).status, (await reset()).status, (await forgot()).status]).toEqual([
          202, 202, 202,
        ]);
        const refused = await reset();
        expectProblem(refused, 429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      } finally {
        await limited.close();
      }
    });
  });

  describe('the last active admin', () => {
    it('cannot be demoted, suspended or deleted, by another admin or by themselves', async () => {
      // A database of its own, so the count of admins is this test's.
      const own = await startTestApp();
      try {
        const admin = await aSignedInAdmin(own);
        const id = admin.user.id;
        const token = admin.tokens.accessToken;
        for (const answer of [
          await own.http.patch(`/users/${id}`, { token, body: { role: 'user' } }),
          await own.http.post(`/users/${id}/suspend`, { token, body: { reason: 'testing' } }),
          await own.http.delete(`/users/${id}`, { token }),
          await own.http.delete('/users/me', { token }),
        ])
          expect(expectProblem(answer, 409).type).toBe('/problems/last-admin');
        expect((await own.http.get('/users/me', { token })).body).toMatchObject({
          role: 'admin',
          status: 'active',
        });

        // With a second admin, one of them may go; a suspended admin does not count as one.
        const second = await aSignedInAdmin(own);
        expect(
          (await own.http.post(`/users/${second.user.id}/suspend`, { token, body: { reason: 'x' } })).status,
        ).toBe(200);
        expectProblem(await own.http.patch(`/users/${id}`, { token, body: { role: 'user' } }), 409);
        await own.http.post(`/users/${second.user.id}/unsuspend`, { token });
        expect((await own.http.patch(`/users/${id}`, { token, body: { role: 'user' } })).status).toBe(200);
      } finally {
        await own.close();
      }
    });

    it('survives two admins demoting each other at the same moment: exactly one succeeds', async () => {
      const own = await startTestApp();
      try {
        for (let round = 0; round < 5; round++) {
          const a = await aSignedInAdmin(own);
          const b = await aSignedInAdmin(own);
          // Everyone else stops being an admin first, so a and b are the only two.
          await own.db.query(`UPDATE users SET role = 'user' WHERE role = 'admin' AND id NOT IN ($1, $2)`, [
            a.user.id,
            b.user.id,
          ]);
          const answers = await Promise.all([
            own.http.patch(`/users/${b.user.id}`, { token: a.tokens.accessToken, body: { role: 'user' } }),
            own.http.patch(`/users/${a.user.id}`, { token: b.tokens.accessToken, body: { role: 'user' } }),
          ]);
          const statuses = answers.map((r) => r.status).toSorted();
          // The loser is refused by the lock (409), or, when the winner's demotion of the loser's
          // caller committed first, by the guard (403: the caller is no longer an admin).
          expect(statuses[0]).toBe(200);
          expect([403, 409]).toContain(statuses[1]);
          const [{ n }] = await own.db.query(
            `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND status = 'active'`,
          );
          expect(n).toBe(1);
        }
      } finally {
        await own.close();
      }
    });
  });
});
