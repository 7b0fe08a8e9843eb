import { hashOpaqueToken } from '../../src/common/opaque-tokens.js';
import { bearer, send } from '../support/api-client.js';
import {
  aSignedInUser,
  aUser,
  expectProblem,
  login,
  PASSWORD,
  signUp,
  type Tokens,
} from '../support/factories.js';
import { eventually } from '../support/eventually.js';
import { accountEmailJobsSettled } from '../support/jobs.js';
import { describeWithRedis, freshRedisDatabase } from '../support/redis.js';
import { SmtpSink, tokenIn, type ReceivedMail } from '../support/smtp-sink.js';
import { markVerified, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'https://accounts.example.test';
const isConfirmation = (m: ReceivedMail) => m.subject === 'Confirm your new email address';
const isNotice = (m: ReceivedMail) => m.subject === 'Your email address is about to change';
const isTaken = (m: ReceivedMail) => m.subject === 'You already have an account';
const isReset = (m: ReceivedMail) => m.subject === 'Reset your password';

// Mail goes through the job queue and a real SMTP server: seconds, not milliseconds.
import.meta.jest.setTimeout(30_000);

describeWithRedis('email change (e2e)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({
      SMTP_URL: sink.url,
      APP_PUBLIC_URL: PUBLIC_URL,
      JOBS_RETRY_DELAY_SECONDS: '1',
      // The limits on, in Redis, as in production: the lock a wrong password counts toward, and the
      // per-account and per-address email budgets. Per client address, every test here is one client.
      REDIS_URL: await freshRedisDatabase(8),
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR: '3',
      RATE_LIMIT_EMAIL_PER_HOUR: '1000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_PER_MINUTE: '10000',
      RATE_LIMIT_SIGNUP_PER_HOUR: '1000',
      AUTH_LOCKOUT_THRESHOLD: '3',
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  const changeEmail = (tokens: Tokens, newEmail: string, currentPassword = PASSWORD) =>
    t.http.post('/auth/change-email', { token: tokens.accessToken, body: { newEmail, currentPassword } });
  const confirm = (token: string) =>
    send(t.api.POST('/api/v1/auth/confirm-email-change', { body: { token } }));
  const me = (tokens: Tokens) => send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)));
  const refresh = (tokens: Tokens) =>
    send(t.api.POST('/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } }));
  const loginStatus = async (email: string, password = PASSWORD) =>
    (await send(t.api.POST('/api/v1/auth/login', { body: { email, password } }))).status;
  const changeTokensOf = async (userId: string) =>
    (
      await t.db.query(
        `SELECT new_email FROM account_tokens WHERE user_id = $1 AND purpose = 'change-email'`,
        [userId],
      )
    ).map((row: { new_email: string }) => row.new_email);

  /** Asks for the change and returns the token of the link the new address gets for it. */
  async function confirmationTokenFor(
    tokens: Tokens,
    newEmail: string,
    password = PASSWORD,
  ): Promise<string> {
    const before = sink.mailsTo(newEmail).filter(isConfirmation).length;
    expect((await changeEmail(tokens, newEmail, password)).status).toBe(202);
    const mail = await eventually(async () => sink.mailsTo(newEmail).filter(isConfirmation)[before]);
    return tokenIn(mail, 'confirm-email-change', PUBLIC_URL);
  }

  it('moves the account once the link sent to the new address is used; the old address is told, without a link', async () => {
    const { user, tokens: asking } = await aSignedInUser(t.api);
    const elsewhere = await login(t.api, user.email);
    const newEmail = aUser().email;
    const resetToken = await (async () => {
      expect((await t.http.post('/auth/forgot-password', { body: { email: user.email } })).status).toBe(202);
      return tokenIn(await sink.waitForMail(user.email, isReset), 'reset-password', PUBLIC_URL);
    })();

    const answer = await changeEmail(asking, `  ${newEmail.toUpperCase()} `);
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
    const confirmation = await sink.waitForMail(newEmail, isConfirmation);
    expect(confirmation.html).toContain(`href="${PUBLIC_URL}/confirm-email-change?token=`);
    expect(confirmation.text).toContain('Hello Ada Lovelace');
    expect(confirmation.text).toContain('for 1 hour');
    const notice = await sink.waitForMail(user.email, isNotice);
    expect(notice.text).toContain(newEmail.toUpperCase());
    expect(notice.text + notice.html).not.toMatch(/token|https?:\/\//);
    // Nothing changes before the link is used.
    expect((await me(asking)).body).toMatchObject({ email: user.email, emailVerified: false });

    const token = tokenIn(confirmation, 'confirm-email-change', PUBLIC_URL);
    expect((await confirm(token)).status).toBe(204);
    // Normalised as at sign-up: trimmed, the case kept as typed.
    expect((await me(asking)).body).toMatchObject({ email: newEmail.toUpperCase(), emailVerified: true });
    // Every session but the one that asked has ended, and links sent to the old address are dead.
    expectProblem(await me(elsewhere), 401);
    expectProblem(await refresh(elsewhere), 401);
    expect((await refresh(asking)).status).toBe(200);
    expectProblem(
      await send(
        t.api.POST('/api/v1/auth/reset-password', {
          body: { token: resetToken, newPassword: 'a takeover passphrase 9' },
        }),
      ),
      400,
    );
    expect(await loginStatus(user.email)).toBe(401);
    expect(await loginStatus(newEmail)).toBe(200);
    // Single use.
    expect(expectProblem(await confirm(token), 400).errors).toEqual([
      { pointer: '#/token', detail: expect.any(String) },
    ]);
  });

  it('answers alike when another account has the new address, and tells that address instead of sending a link', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const holder = await signUp(t.api, { name: 'Grace Hopper' });
    const taken = await changeEmail(tokens, holder.email.toUpperCase());
    const told = await sink.waitForMail(holder.email, isTaken);
    expect(told.text).toContain('Hello Grace Hopper');
    expect(told.text + told.html).not.toMatch(/token|https?:\/\//);
    const freeEmail = aUser().email;
    const free = await changeEmail(tokens, freeEmail);
    expect(taken.status).toBe(202);
    expect({ status: taken.status, text: taken.text }).toEqual({ status: free.status, text: free.text });

    await accountEmailJobsSettled(t.db, `data->>'userId' = $1`, [user.id]);
    expect(sink.mailsTo(holder.email).filter(isConfirmation)).toEqual([]);
    expect(sink.mailsTo(user.email).filter(isNotice)).toHaveLength(2);
    // The free address's change is the one pending; nothing was kept for the taken one.
    expect(await changeTokensOf(user.id)).toEqual([freeEmail]);
    expect((await me(tokens)).body).toMatchObject({ email: user.email });
  });

  it('refuses a wrong current password with a 400 on #/currentPassword, counted toward the login lock', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    for (let i = 0; i < 3; i++) {
      const refused = expectProblem(await changeEmail(tokens, aUser().email, 'not my password 123'), 400);
      expect(refused.errors).toEqual([
        { pointer: '#/currentPassword', detail: 'is not the current password' },
      ]);
    }
    expectProblem(await changeEmail(tokens, aUser().email), 429);
    expect(await loginStatus(user.email)).toBe(429);
    expect(await changeTokensOf(user.id)).toEqual([]);
    const [{ jobs }] = await t.db.query(
      `SELECT count(*)::int AS jobs FROM pgboss.job WHERE name = 'account-email' AND data->>'userId' = $1 AND data->>'kind' <> 'welcome'`,
      [user.id],
    );
    expect(jobs).toBe(0);
  });

  it('refuses the address the account has (in any spelling), a malformed one, and unknown members', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    for (const newEmail of [user.email, ` ${user.email.toUpperCase()}`]) {
      const refused = expectProblem(await changeEmail(tokens, newEmail), 400);
      expect(refused.errors).toEqual([
        { pointer: '#/newEmail', detail: 'is the address this account has already' },
      ]);
    }
    expect(expectProblem(await changeEmail(tokens, 'not an address'), 400).errors).toEqual([
      { pointer: '#/newEmail', detail: expect.any(String) },
    ]);
    const extra = await t.http.post('/auth/change-email', {
      token: tokens.accessToken,
      body: { newEmail: aUser().email, currentPassword: PASSWORD, role: 'admin' },
    });
    expect(expectProblem(extra, 400).errors).toEqual([{ pointer: '#/role', detail: expect.any(String) }]);
    expectProblem(
      await t.http.post('/auth/change-email', {
        body: { newEmail: aUser().email, currentPassword: PASSWORD },
      }),
      401,
    );
    expect(await changeTokensOf(user.id)).toEqual([]);
  });

  it('gives exactly one success to 20 parallel uses of one link', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const newEmail = aUser().email;
    const token = await confirmationTokenFor(tokens, newEmail);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => confirm(token).then((r) => r.status)),
    );
    expect(statuses.toSorted()).toEqual([204, ...Array(19).fill(400)]);
    expect((await me(tokens)).body).toMatchObject({ id: user.id, email: newEmail });
  });

  it('kills the link when the password changes, and when another change is asked for', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const first = await confirmationTokenFor(tokens, aUser().email);
    const newPassword = 'changed the usual way 5';
    const changed = await t.http.post('/auth/change-password', {
      token: tokens.accessToken,
      body: { currentPassword: PASSWORD, newPassword },
    });
    expect(changed.status).toBe(204);
    expectProblem(await confirm(first), 400);

    const second = await confirmationTokenFor(tokens, aUser().email, newPassword);
    const third = aUser().email;
    // Dead as soon as the next change is asked for, before that one's mail goes out.
    expect((await changeEmail(tokens, third, newPassword)).status).toBe(202);
    expectProblem(await confirm(second), 400);
    const token = tokenIn(await sink.waitForMail(third, isConfirmation), 'confirm-email-change', PUBLIC_URL);
    expect((await confirm(token)).status).toBe(204);
    expect((await me(tokens)).body).toMatchObject({ id: user.id, email: third });
  });

  it('refuses an expired link', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const token = await confirmationTokenFor(tokens, aUser().email);
    await t.db.query(
      `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND purpose = 'change-email'`,
      [user.id],
    );
    expectProblem(await confirm(token), 400);
    expect((await me(tokens)).body).toMatchObject({ email: user.email });
  });

  it('is a 409 when a verified account took the address meanwhile, changing nothing; the link works once it is free', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const elsewhere = await login(t.api, user.email);
    const newEmail = aUser().email;
    const token = await confirmationTokenFor(tokens, newEmail);
    const { user: holder, tokens: holderTokens } = await aSignedInUser(t.api, {
      email: newEmail.toUpperCase(),
    });
    await markVerified(t, holder.id);

    expect(expectProblem(await confirm(token), 409).type).toBe('/problems/email-taken');
    expect((await me(tokens)).body).toMatchObject({ email: user.email });
    expect((await me(elsewhere)).status).toBe(200);

    expect((await send(t.api.DELETE('/api/v1/users/me', bearer(holderTokens.accessToken)))).status).toBe(204);
    expect((await confirm(token)).status).toBe(204);
    expect((await me(tokens)).body).toMatchObject({ email: newEmail });
  });

  // docs/security-model.md, I1: an unproved claim on an address does not block the one who proves it.
  it('takes the address from an account that signed up with it meanwhile and never verified it, deleting that squat', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const newEmail = aUser().email;
    const token = await confirmationTokenFor(tokens, newEmail);
    const { user: squat, tokens: squatTokens } = await aSignedInUser(t.api, {
      email: newEmail.toUpperCase(),
    });

    expect((await confirm(token)).status).toBe(204);
    expect((await me(tokens)).body).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await me(squatTokens)).status).toBe(401);
    const [event] = await t.db.query(
      `SELECT details FROM audit_events WHERE subject_user_id = $1 AND type = 'account.deleted'`,
      [squat.id],
    );
    expect(event.details).toEqual({ neverVerified: true });
    expect(user.id).not.toBe(squat.id);
  });

  it("refuses a suspended account's link with a 403, and leaves it usable", async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const newEmail = aUser().email;
    const token = await confirmationTokenFor(tokens, newEmail);
    const suspended = `UPDATE users SET status = 'suspended', suspended_at = now(), suspension_reason = 'test' WHERE id = $1`;
    await t.db.query(suspended, [user.id]);
    expect(expectProblem(await confirm(token), 403).type).toBe('/problems/account-suspended');
    await t.db.query(
      `UPDATE users SET status = 'active', suspended_at = NULL, suspension_reason = NULL WHERE id = $1`,
      [user.id],
    );
    expect((await confirm(token)).status).toBe(204);
  });

  it('limits change requests per account and per new address', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await changeEmail(tokens, aUser().email)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);

    const target = aUser().email;
    const perAddress = [];
    for (let i = 0; i < 4; i++) {
      const { tokens: someone } = await aSignedInUser(t.api);
      perAddress.push(await changeEmail(someone, target));
    }
    expect(perAddress.map((r) => r.status)).toEqual([202, 202, 202, 429]);
    expect(Number(perAddress[3].headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('keeps no token and no address of a link in the job, and only the hash of the token', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const token = await confirmationTokenFor(tokens, aUser().email);
    const jobs: { data: object }[] = await t.db.query(
      `SELECT data FROM pgboss.job WHERE name = 'account-email' AND data->>'kind' = 'change-email' AND data->>'userId' = $1`,
      [user.id],
    );
    // `$origin` is the asking request's (address, user agent, request id, caller), for the audit log.
    expect(jobs.map((j) => Object.keys(j.data).toSorted())).toEqual([
      ['$origin', 'kind', 'requestedAt', 'userId'],
    ]);
    const [row] = await t.db.query(
      `SELECT token_hash FROM account_tokens WHERE user_id = $1 AND purpose = 'change-email'`,
      [user.id],
    );
    expect(row.token_hash).toEqual(hashOpaqueToken(token));
    expect(JSON.stringify(jobs)).not.toContain(token);
  });
});
