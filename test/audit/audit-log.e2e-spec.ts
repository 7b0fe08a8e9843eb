import { createHash } from 'node:crypto';
import { AuditLog } from '../../src/audit/audit-log.js';
import { Transactions } from '../../src/database/transactions.js';
import { Retention } from '../../src/jobs/retention.js';
import { aSignedInUser, aUser, expectProblem, login, PASSWORD, signUp } from '../support/factories.js';
import { eventually } from '../support/eventually.js';
import { SmtpSink, tokenIn, type ReceivedMail } from '../support/smtp-sink.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'https://accounts.example.test';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 audit-test';
const isReset = (m: ReceivedMail) => m.subject === 'Reset your password';
const isVerification = (m: ReceivedMail) => m.subject === 'Welcome to Gatehouse';

// Mail goes through the job queue and a real SMTP server: seconds, not milliseconds.
import.meta.jest.setTimeout(30_000);

interface EventRow {
  type: string;
  actor_user_id: string | null;
  subject_user_id: string | null;
  session_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

describe('audit log (e2e)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({
      SMTP_URL: sink.url,
      APP_PUBLIC_URL: PUBLIC_URL,
      RATE_LIMIT_ENABLED: 'true',
      // Only the lock is under test here: the per-minute limits stay out of the way.
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_PER_MINUTE: '10000',
      RATE_LIMIT_EMAIL_PER_HOUR: '1000',
      RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR: '1000',
      AUTH_LOCKOUT_THRESHOLD: '3',
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  /** The events of an account, oldest first. */
  const eventsOf = (userId: string): Promise<EventRow[]> =>
    t.db.query(
      `SELECT type, actor_user_id, subject_user_id, session_id, ip_address, user_agent, request_id, details
         FROM audit_events WHERE subject_user_id = $1 ORDER BY occurred_at, id`,
      [userId],
    );
  const typesOf = async (userId: string) => (await eventsOf(userId)).map((e) => e.type);
  const sessionOf = (accessToken: string) =>
    JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid as string;

  it('records a sign-up and a login with where they came from: address, user agent, request', async () => {
    const body = aUser();
    const signedUp = await t.http.post('/users', {
      body,
      headers: { 'user-agent': BROWSER, 'x-request-id': 'audit-signup-1' },
    });
    expect(signedUp.status).toBe(201);
    const loggedIn = await t.http.post('/auth/login', {
      body: { email: body.email, password: body.password },
      headers: { 'user-agent': BROWSER, 'x-request-id': 'audit-login-1' },
    });
    expect(loggedIn.status).toBe(200);
    const [created, started] = await eventsOf(signedUp.body.id);
    expect(created).toEqual({
      type: 'account.signed-up',
      actor_user_id: null,
      subject_user_id: signedUp.body.id,
      session_id: null,
      ip_address: '127.0.0.1',
      user_agent: BROWSER,
      // The server's own id (the answer's X-Request-Id), never the one the client sent (I11).
      request_id: signedUp.headers.get('x-request-id'),
      details: { email: body.email, role: 'user' },
    });
    expect(started).toEqual({
      type: 'login.succeeded',
      actor_user_id: signedUp.body.id,
      subject_user_id: signedUp.body.id,
      session_id: sessionOf(loggedIn.body.accessToken),
      ip_address: '127.0.0.1',
      user_agent: BROWSER,
      request_id: loggedIn.headers.get('x-request-id'),
      details: {},
    });
  });

  it('records failed logins by reason class, the lock, and nothing that names an unknown address', async () => {
    const user = await signUp(t.api);
    const unknown = aUser().email;
    const attempt = (email: string, password: string) =>
      t.http.post('/auth/login', { body: { email, password } });
    const before = Number(
      (await t.db.query(`SELECT count(*) FROM audit_events WHERE subject_user_id IS NULL`))[0].count,
    );
    expect((await attempt(unknown, 'a wrong password 1')).status).toBe(401);
    for (const n of [1, 2, 3]) expect((await attempt(user.email, `a wrong password ${n}`)).status).toBe(401);
    expect((await attempt(user.email, PASSWORD)).status).toBe(429);

    const events = await eventsOf(user.id);
    expect(events.map((e) => [e.type, e.details])).toEqual([
      ['account.signed-up', { email: user.email, role: 'user' }],
      ['login.failed', { reason: 'wrong-password' }],
      ['login.failed', { reason: 'wrong-password' }],
      ['login.failed', { reason: 'wrong-password' }],
      ['login.locked', { lockedSeconds: expect.any(Number) }],
      ['login.failed', { reason: 'locked' }],
    ]);
    expect(events.slice(1).every((e) => e.actor_user_id === null)).toBe(true);
    const anonymous: EventRow[] = await t.db.query(
      `SELECT * FROM audit_events WHERE subject_user_id IS NULL ORDER BY occurred_at DESC LIMIT 1`,
    );
    expect(anonymous[0]).toMatchObject({ type: 'login.failed', details: { reason: 'unknown-email' } });
    expect(JSON.stringify(anonymous[0])).not.toContain(unknown.split('@')[0]);
    expect(
      Number((await t.db.query(`SELECT count(*) FROM audit_events WHERE subject_user_id IS NULL`))[0].count),
    ).toBe(before + 1);
  });

  it('records a suspended account’s login, and an admin’s suspension, unsuspension, unlock and sign-out as the admin’s', async () => {
    const { user: admin, tokens: adminTokens } = await aSignedInAdmin(t);
    const { user } = await aSignedInUser(t.api);
    const as = { token: adminTokens.accessToken };
    expect(
      (await t.http.post(`/users/${user.id}/suspend`, { ...as, body: { reason: 'Chargeback; ticket 7' } }))
        .status,
    ).toBe(200);
    expect(
      (await t.http.post('/auth/login', { body: { email: user.email, password: PASSWORD } })).status,
    ).toBe(403);
    expect((await t.http.post(`/users/${user.id}/unsuspend`, as)).status).toBe(200);
    expect((await t.http.delete(`/users/${user.id}/login-lock`, as)).status).toBe(204);
    expect((await t.http.delete(`/users/${user.id}/sessions`, as)).status).toBe(204);
    expect((await t.http.patch(`/users/${user.id}`, { ...as, body: { role: 'admin' } })).status).toBe(200);

    const events = (await eventsOf(user.id)).slice(2);
    expect(events.map((e) => [e.type, e.actor_user_id, e.details])).toEqual([
      ['account.suspended', admin.id, { suspensionReason: 'Chargeback; ticket 7' }],
      ['login.failed', null, { reason: 'suspended' }],
      ['account.unsuspended', admin.id, {}],
      ['login.unlocked', admin.id, {}],
      ['session.revoked-all', admin.id, {}],
      ['account.role-changed', admin.id, { previousRole: 'user', role: 'admin' }],
    ]);
    expect(events[0].session_id).toBe(sessionOf(adminTokens.accessToken));
  });

  it('records sign-outs, an ended session, a reused refresh token and a password change', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const second = await login(t.api, user.email);
    const third = await login(t.api, user.email);
    const rotated = await t.http.post('/auth/refresh', { body: { refreshToken: third.refreshToken } });
    expect(rotated.status).toBe(200);
    // Presented again after its successor was used: a reuse, which ends the session.
    expect(
      (await t.http.post('/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } })).status,
    ).toBe(200);
    expect((await t.http.post('/auth/refresh', { body: { refreshToken: third.refreshToken } })).status).toBe(
      401,
    );
    const as = { token: tokens.accessToken };
    expect((await t.http.delete(`/auth/sessions/${sessionOf(second.accessToken)}`, as)).status).toBe(204);
    expect(
      (
        await t.http.post('/auth/change-password', {
          ...as,
          body: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase 7' },
        })
      ).status,
    ).toBe(204);
    const fourth = await login(t.api, user.email, 'a brand new passphrase 7');
    expect((await t.http.post('/auth/logout', { token: fourth.accessToken })).status).toBe(204);
    expect((await t.http.post('/auth/logout-all', as)).status).toBe(204);

    const events = (await eventsOf(user.id)).filter((e) => !e.type.startsWith('login.'));
    expect(events.map((e) => [e.type, e.session_id])).toEqual([
      ['account.signed-up', null],
      ['session.refresh-token-reused', sessionOf(third.accessToken)],
      ['session.revoked', sessionOf(second.accessToken)],
      ['password.changed', sessionOf(tokens.accessToken)],
      ['session.logout', sessionOf(fourth.accessToken)],
      ['session.logout-all', sessionOf(tokens.accessToken)],
    ]);
    expect(events[1].actor_user_id).toBeNull();
  });

  it('records the events of the email links, a reset’s request as the request that queued it', async () => {
    const user = await signUp(t.api);
    const welcome = await eventually(async () => sink.mailsTo(user.email).find(isVerification));
    expect(
      (
        await t.http.post('/auth/verify-email', {
          body: { token: tokenIn(welcome, 'verify-email', PUBLIC_URL) },
        })
      ).status,
    ).toBe(204);
    const forgot = await t.http.post('/auth/forgot-password', {
      body: { email: user.email },
      headers: { 'user-agent': BROWSER, 'x-request-id': 'audit-forgot-1' },
    });
    expect(forgot.status).toBe(202);
    const mail = await eventually(async () => sink.mailsTo(user.email).find(isReset));
    const token = tokenIn(mail, 'reset-password', PUBLIC_URL);
    expect(
      (
        await t.http.post('/auth/reset-password', {
          body: { token, newPassword: 'a brand new passphrase 8' },
        })
      ).status,
    ).toBe(204);

    const events = await eventsOf(user.id);
    expect(events.map((e) => e.type)).toEqual([
      'account.signed-up',
      'email.verified',
      'password.reset-requested',
      'password.reset-completed',
    ]);
    expect(events[2]).toMatchObject({
      user_agent: BROWSER,
      request_id: forgot.headers.get('x-request-id'),
      ip_address: '127.0.0.1',
    });
  });

  it('records an email change, asked for and confirmed', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const newEmail = aUser().email;
    const asked = await t.http.post('/auth/change-email', {
      token: tokens.accessToken,
      body: { newEmail, currentPassword: PASSWORD },
    });
    expect(asked.status).toBe(202);
    const mail = await eventually(async () => sink.mailsTo(newEmail)[0]);
    const token = tokenIn(mail, 'confirm-email-change', PUBLIC_URL);
    expect((await t.http.post('/auth/confirm-email-change', { body: { token } })).status).toBe(204);
    const events = await eventsOf(user.id);
    expect(events.slice(2).map((e) => [e.type, e.details])).toEqual([
      ['email.change-requested', { newEmail }],
      ['email.change-confirmed', { previousEmail: user.email, email: newEmail }],
    ]);
  });

  it('records a deletion, and keeps the account’s events after it', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    expect((await t.http.delete('/users/me', { token: tokens.accessToken })).status).toBe(204);
    expect(await typesOf(user.id)).toEqual(['account.signed-up', 'login.succeeded', 'account.deleted']);
  });

  it('writes an event in the transaction of its change: a rollback leaves none, and a refused change records nothing', async () => {
    const audit = t.app.get(AuditLog);
    const { user } = await aSignedInUser(t.api);
    await expect(
      t.app.get(Transactions).run(async (transaction) => {
        await audit.record({ type: 'password.changed', subjectUserId: user.id }, transaction);
        throw new Error('the change failed after its event');
      }),
    ).rejects.toThrow('the change failed');
    expect(await typesOf(user.id)).toEqual(['account.signed-up', 'login.succeeded']);

    // The only active admin cannot demote themselves: a 409, and no role change in the log.
    const database = await startTestApp();
    try {
      const { user: admin, tokens } = await aSignedInAdmin(database);
      const demote = await database.http.patch('/users/me', {
        token: tokens.accessToken,
        body: { name: 'Still admin' },
      });
      expect(demote.status).toBe(200);
      const refused = await database.http.patch(`/users/${admin.id}`, {
        token: tokens.accessToken,
        body: { role: 'user' },
      });
      expectProblem(refused, 409);
      const [{ n }] = await database.db.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE type = 'account.role-changed'`,
      );
      expect(n).toBe(0);
    } finally {
      await database.close();
    }
  });

  it('holds no password, token, code, hash or secret of any flow above', async () => {
    const rows: { text: string }[] = await t.db.query(`SELECT audit_events::text AS text FROM audit_events`);
    const table = rows.map((r) => r.text).join('\n');
    expect(rows.length).toBeGreaterThan(40);
    const users: { password_hash: string }[] = await t.db.query('SELECT password_hash FROM users');
    const tokens: { token_hash: Buffer }[] = await t.db.query(
      'SELECT token_hash FROM account_tokens UNION ALL SELECT token_hash FROM refresh_tokens',
    );
    const mailed = sink.mails.flatMap((m) =>
      [...m.text.matchAll(/token=([\w-]+)/g)].map((match) => match[1]),
    );
    const secrets = [
      PASSWORD,
      'a wrong password',
      'a brand new passphrase',
      '$argon2id$',
      ...users.map((u) => u.password_hash),
      ...tokens.flatMap((r) => [r.token_hash.toString('hex'), r.token_hash.toString('base64')]),
      ...mailed,
      ...mailed.map((token) => createHash('sha256').update(token).digest('hex')),
    ];
    expect(mailed.length).toBeGreaterThan(3);
    for (const secret of secrets)
      expect({ secret, found: table.includes(secret) }).toEqual({ secret, found: false });
    // Nor a JWT: three base64url parts.
    expect(table).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  describe('GET /audit-events (admin)', () => {
    it('lists the log newest first, a page at a time, narrowed by subject, actor, types and time', async () => {
      const { user: admin, tokens } = await aSignedInAdmin(t);
      const as = { token: tokens.accessToken };
      const { user } = await aSignedInUser(t.api);
      const since = new Date().toISOString();
      for (const n of [1, 2, 3])
        await t.http.post('/auth/login', { body: { email: user.email, password: `wrong one ${n}x` } });
      await t.http.delete(`/users/${user.id}/login-lock`, as);

      const all = await t.http.get(`/audit-events?subjectUserId=${user.id}&limit=2`, as);
      expect(all.status).toBe(200);
      expect(all.body.items.map((e: { type: string }) => e.type)).toEqual(['login.unlocked', 'login.locked']);
      expect(all.headers.get('link')).toBe(
        `<${PUBLIC_URL}/api/v1/audit-events?limit=2&subjectUserId=${user.id}&cursor=${all.body.nextCursor}>; rel="next"`,
      );
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { type: string }[]; nextCursor: string | null } } = await t.http.get(
          `/audit-events?subjectUserId=${user.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          as,
        );
        walked.push(...page.body.items.map((e: { type: string }) => e.type));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(walked.toReversed()).toEqual(await typesOf(user.id));

      const typed = await t.http.get(
        `/audit-events?subjectUserId=${user.id}&type=login.locked&type=login.unlocked`,
        as,
      );
      expect(typed.body.items.map((e: { type: string }) => e.type)).toEqual([
        'login.unlocked',
        'login.locked',
      ]);
      const typedPage = await t.http.get(
        `/audit-events?subjectUserId=${user.id}&type=login.locked&type=login.unlocked&limit=1`,
        as,
      );
      expect(typedPage.headers.get('link')).toContain('&type=login.locked&type=login.unlocked&cursor=');
      const byActor = await t.http.get(`/audit-events?actorUserId=${admin.id}&type=login.unlocked`, as);
      expect(byActor.body.items).toEqual([
        expect.objectContaining({
          type: 'login.unlocked',
          actorUserId: admin.id,
          subjectUserId: user.id,
          traceId: null,
        }),
      ]);
      const after = await t.http.get(`/audit-events?subjectUserId=${user.id}&since=${since}`, as);
      expect(after.body.items).toHaveLength(5);
      const before = await t.http.get(`/audit-events?subjectUserId=${user.id}&until=${since}`, as);
      expect(before.body.items.map((e: { type: string }) => e.type)).toEqual([
        'login.succeeded',
        'account.signed-up',
      ]);
    });

    it('is for admins only, and names each bad parameter', async () => {
      const { tokens } = await aSignedInUser(t.api);
      expectProblem(await t.http.get('/audit-events', { token: tokens.accessToken }), 403);
      expectProblem(await t.http.get('/audit-events'), 401);
      const admin = await aSignedInAdmin(t);
      const bad = await t.http.get(
        '/audit-events?type=login.nope&since=2026-02-30T00:00:00Z&subjectUserId=7',
        {
          token: admin.tokens.accessToken,
        },
      );
      expect(
        expectProblem(bad, 400)
          .errors.map((e: { parameter: string }) => e.parameter)
          .toSorted(),
      ).toEqual(['subjectUserId', 'type']);
      const day = await t.http.get('/audit-events?since=2026-02-30T00:00:00Z', {
        token: admin.tokens.accessToken,
      });
      expect(expectProblem(day, 400).errors).toEqual([{ parameter: 'since', detail: expect.any(String) }]);
    });
  });

  describe('GET /users/me/security-events', () => {
    it('shows a person their own events, and what an admin did, without anyone else’s', async () => {
      const { user, tokens } = await aSignedInUser(t.api);
      const other = await aSignedInUser(t.api);
      const admin = await aSignedInAdmin(t);
      await t.http.post('/auth/login', {
        body: { email: user.email, password: 'not the password 1' },
        headers: { 'user-agent': BROWSER },
      });
      await t.http.delete(`/users/${user.id}/login-lock`, {
        token: admin.tokens.accessToken,
        headers: { 'user-agent': 'the admin own browser' },
      });
      const mine = await t.http.get('/users/me/security-events', { token: tokens.accessToken });
      expect(mine.status).toBe(200);
      // I7: the administrator's action is named; their address and agent are not shown.
      expect(mine.body.items).toEqual([
        {
          id: expect.any(String),
          type: 'login.unlocked',
          occurredAt: expect.any(String),
          ipAddress: null,
          userAgent: null,
          byAdministrator: true,
        },
        {
          id: expect.any(String),
          type: 'login.failed',
          occurredAt: expect.any(String),
          ipAddress: '127.0.0.1',
          userAgent: BROWSER,
          byAdministrator: false,
        },
        expect.objectContaining({ type: 'login.succeeded', byAdministrator: false }),
        expect.objectContaining({ type: 'account.signed-up', byAdministrator: false }),
      ]);
      const theirs = await t.http.get('/users/me/security-events?limit=1', {
        token: other.tokens.accessToken,
      });
      expect(theirs.body.items).toEqual([expect.objectContaining({ type: 'login.succeeded' })]);
      expect(theirs.headers.get('link')).toContain('/api/v1/users/me/security-events?limit=1&cursor=');
    });
  });

  it('is purged after AUDIT_RETENTION_DAYS by the retention job', async () => {
    const { user } = await aSignedInUser(t.api);
    const old = new Date(Date.now() - 401 * 86_400_000);
    await t.db.query(
      `UPDATE audit_events SET occurred_at = $2 WHERE subject_user_id = $1 AND type = 'account.signed-up'`,
      [user.id, old],
    );
    const counts = await t.app.get(Retention).run();
    expect(counts.audit_events).toBeGreaterThanOrEqual(1);
    expect(await typesOf(user.id)).toEqual(['login.succeeded']);
  });
});
