import { bearer, send } from '../support/api-client.js';
import { jest } from '@jest/globals';
import { AuthenticatorApp, enableTotp, stopClock } from '../support/authenticator-app.js';
import { expectProblem, login, PASSWORD, type Tokens } from '../support/factories.js';
import { aSignedInAdmin, aVerifiedUser, startTestApp, type TestApp } from '../support/test-app.js';

const LOCK_THRESHOLD = 8;

describe('authenticator app (TOTP) and recovery codes (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ENABLED: 'true',
      // The login lock is under test; the per-minute limits stay out of the way.
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_PER_MINUTE: '10000',
      AUTH_LOCKOUT_THRESHOLD: String(LOCK_THRESHOLD),
    });
  });
  afterAll(async () => {
    await t.close();
  });
  // The server's clock and the test's authenticator app agree on the instant, mid-step.
  let clock: ReturnType<typeof stopClock>;
  beforeEach(() => {
    clock = stopClock(t);
  });
  afterEach(() => jest.restoreAllMocks());

  const me = (accessToken: string) => send(t.api.GET('/api/v1/users/me', bearer(accessToken)));
  const setUp = (accessToken: string, currentPassword = PASSWORD) =>
    send(t.api.POST('/api/v1/auth/mfa/totp/setup', { ...bearer(accessToken), body: { currentPassword } }));
  const confirm = (accessToken: string, code: string) =>
    send(t.api.POST('/api/v1/auth/mfa/totp/confirm', { ...bearer(accessToken), body: { code } }));
  const passwordLogin = (email: string, password = PASSWORD) =>
    send(t.api.POST('/api/v1/auth/login', { body: { email, password } }));
  const finish = (body: { mfaToken: string; code: string } | { mfaToken: string; recoveryCode: string }) =>
    send(t.api.POST('/api/v1/auth/login/mfa', { body }));
  /** A login's `mfaToken` (the password was right and a second factor is due). */
  const mfaTokenOf = async (email: string) => {
    const answer = await passwordLogin(email);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      mfaRequired: true,
      mfaToken: expect.any(String),
      methods: expect.any(Array),
    });
    return answer.body.mfaToken as string;
  };
  const events = async (userId: string, type: string) =>
    (await t.db.query(
      `SELECT details, actor_user_id FROM audit_events WHERE subject_user_id = $1 AND type = $2 ORDER BY id`,
      [userId, type],
    )) as { details: Record<string, unknown>; actor_user_id: string | null }[];

  /** A user whose authenticator app is on: its app, recovery codes and the session that set it up. */
  async function aUserWithTotp() {
    const { user, tokens } = await aVerifiedUser(t);
    return { user, tokens, ...(await enableTotp(t.api, tokens.accessToken, PASSWORD, clock.now)) };
  }

  describe('setting up', () => {
    it('needs the current password, and answers the secret as text, URI and QR code, stored sealed', async () => {
      const { user, tokens } = await aVerifiedUser(t);
      const wrong = await setUp(tokens.accessToken, 'not the password at all');
      expect(expectProblem(wrong, 400).errors).toEqual([
        { pointer: '#/currentPassword', detail: 'is not the current password' },
      ]);

      const { body } = await setUp(tokens.accessToken);
      expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
      const uri = new URL(body.otpauthUri);
      expect([
        uri.protocol,
        uri.host,
        uri.searchParams.get('secret'),
        uri.searchParams.get('issuer'),
      ]).toEqual(['otpauth:', 'totp', body.secret, 'Gatehouse']);
      expect(decodeURIComponent(uri.pathname)).toBe(`/Gatehouse:${user.email}`);
      expect(body.qrCodeSvg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);

      const [row] = await t.db.query(
        'SELECT secret_sealed, confirmed_at FROM totp_factors WHERE user_id = $1',
        [user.id],
      );
      expect(row.secret_sealed).toMatch(/^v1\./);
      expect(row.secret_sealed).not.toContain(body.secret);
      expect(row.confirmed_at).toBeNull();
      // Not on yet: the password alone still signs in.
      expect((await passwordLogin(user.email)).body).toMatchObject({ tokenType: 'Bearer' });
      expect((await me(tokens.accessToken)).body.mfa).toEqual({ totp: false, passkeys: 0 });
    });

    it('setting up again before confirming replaces the secret; the old one confirms nothing', async () => {
      const { tokens } = await aVerifiedUser(t);
      const first = new AuthenticatorApp((await setUp(tokens.accessToken)).body.secret, clock.now);
      const second = new AuthenticatorApp((await setUp(tokens.accessToken)).body.secret, clock.now);
      expect(expectProblem(await confirm(tokens.accessToken, first.code()), 400).errors).toEqual([
        { pointer: '#/code', detail: 'is not a current code of your authenticator app' },
      ]);
      expect((await confirm(tokens.accessToken, second.code())).status).toBe(200);
    });

    it('confirming turns it on, answers ten recovery codes once (stored hashed), and ends every other session', async () => {
      const { user, tokens } = await aVerifiedUser(t);
      const other = await login(t.api, user.email);
      expect(expectProblem(await confirm(tokens.accessToken, '123456'), 409).type).toBe(
        '/problems/totp-not-set-up',
      );
      const app = new AuthenticatorApp((await setUp(tokens.accessToken)).body.secret, clock.now);
      const confirmed = await confirm(tokens.accessToken, app.code());
      expect(confirmed.status).toBe(200);
      const codes = confirmed.body.recoveryCodes as string[];
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);

      const stored = await t.db.query('SELECT code_hash FROM recovery_codes WHERE user_id = $1', [user.id]);
      expect(stored).toHaveLength(10);
      const dump = JSON.stringify(stored.map((r: { code_hash: Buffer }) => r.code_hash.toString('latin1')));
      for (const code of codes) expect(dump).not.toContain(code.replace('-', ''));

      expect((await me(tokens.accessToken)).body.mfa).toEqual({ totp: true, passkeys: 0 });
      expectProblem(await me(other.accessToken), 401);
      expect(expectProblem(await setUp(tokens.accessToken), 409).type).toBe('/problems/totp-already-enabled');
      expect(await events(user.id, 'mfa.totp-enabled')).toHaveLength(1);
    });
  });

  describe('signing in', () => {
    it('asks for a code after the right password, and gives the pair for a current one', async () => {
      const { user, app } = await aUserWithTotp();
      const answer = await passwordLogin(user.email);
      expect(answer.body).toEqual({
        mfaRequired: true,
        mfaToken: expect.any(String),
        methods: ['totp', 'recovery-code'],
      });
      expect(answer.body).not.toHaveProperty('accessToken');

      // Confirming spent this step's code: the next step's (a phone a little ahead) is the one left.
      const signedIn = await finish({ mfaToken: answer.body.mfaToken, code: app.code(1) });
      expect(signedIn.status).toBe(200);
      expect((await me(signedIn.body.accessToken)).body.id).toBe(user.id);
      // The token was single use.
      const again = await finish({ mfaToken: answer.body.mfaToken, code: app.code(1) });
      expect(expectProblem(again, 401).type).toBe('/problems/invalid-mfa-token');
      const [succeeded] = (await events(user.id, 'login.succeeded')).slice(-1);
      expect(succeeded!.details).toEqual({ secondFactor: 'totp' });
      // The session list says how it was signed in.
      const sessions = await send(t.api.GET('/api/v1/auth/sessions', bearer(signedIn.body.accessToken)));
      expect(sessions.body.items.find((s: { current: boolean }) => s.current)).toMatchObject({
        secondFactor: 'totp',
      });
    });

    it('shows an admin its sign-ins in the audit list as openapi.json describes them', async () => {
      const { user, app, recoveryCodes } = await aUserWithTotp();
      const admin = await aSignedInAdmin(t);
      expect((await finish({ mfaToken: await mfaTokenOf(user.email), code: app.code(1) })).status).toBe(200);
      const withRecoveryCode = { mfaToken: await mfaTokenOf(user.email), recoveryCode: recoveryCodes[0]! };
      expect((await finish(withRecoveryCode)).status).toBe(200);
      // The test client checks the answer against the document: every member of `details` included.
      const listed = await t.http.get(`/audit-events?subjectUserId=${user.id}`, {
        token: admin.tokens.accessToken,
      });
      expect(listed.body.items.map((e: { details: object }) => e.details)).toEqual(
        expect.arrayContaining([
          { secondFactor: 'totp' },
          { secondFactor: 'recovery-code' },
          { remaining: 9 },
        ]),
      );
    });

    it('answers a wrong password exactly as for an account without a second factor', async () => {
      const { user } = await aUserWithTotp();
      const { user: plain } = await aVerifiedUser(t);
      const [guarded, unguarded] = await Promise.all(
        [user.email, plain.email].map((email) => passwordLogin(email, 'a wrong password 123')),
      );
      const shape = (r: typeof guarded) => {
        const { requestId: _, ...rest } = r.body;
        return { status: r.status, challenge: r.headers.get('www-authenticate'), rest };
      };
      expect(shape(guarded)).toEqual(shape(unguarded));
    });

    it('accepts a code once: a replay, even on a new sign-in, is refused', async () => {
      const { user, app } = await aUserWithTotp();
      const code = app.code(1);
      const first = await finish({ mfaToken: await mfaTokenOf(user.email), code });
      expect([first.status, first.body.type]).toEqual([200, undefined]);
      const replay = await finish({ mfaToken: await mfaTokenOf(user.email), code });
      expect(expectProblem(replay, 401).type).toBe('/problems/invalid-second-factor');
    });

    it('takes the previous and the next step (clock skew), not further, and never an earlier one than the last', async () => {
      const { user, tokens } = await aVerifiedUser(t);
      const app = new AuthenticatorApp((await setUp(tokens.accessToken)).body.secret, clock.now);
      // A phone's clock 30 s behind: its code is from the previous step.
      expect((await confirm(tokens.accessToken, app.code(-1))).status).toBe(200);
      for (const steps of [-2, 2]) {
        const off = await finish({ mfaToken: await mfaTokenOf(user.email), code: app.code(steps) });
        expect(expectProblem(off, 401).type).toBe('/problems/invalid-second-factor');
      }
      // A phone's clock 30 s ahead.
      expect((await finish({ mfaToken: await mfaTokenOf(user.email), code: app.code(1) })).status).toBe(200);
      // Once a later step was used, an earlier code counts as a replay.
      const earlier = await finish({ mfaToken: await mfaTokenOf(user.email), code: app.code(0) });
      expect(expectProblem(earlier, 401).type).toBe('/problems/invalid-second-factor');
    });

    it('spends the mfaToken at the fifth wrong code', async () => {
      const { user, app } = await aUserWithTotp();
      const mfaToken = await mfaTokenOf(user.email);
      for (let i = 0; i < 5; i++)
        expect(expectProblem(await finish({ mfaToken, code: '000000' }), 401).type).toBe(
          '/problems/invalid-second-factor',
        );
      expect(expectProblem(await finish({ mfaToken, code: app.code(1) }), 401).type).toBe(
        '/problems/invalid-mfa-token',
      );
      const failed = await events(user.id, 'login.failed');
      expect(failed.map((e) => e.details.reason)).toEqual(Array(5).fill('wrong-second-factor'));
    });

    it('counts wrong codes toward the password lock: knowing the password buys no endless guesses', async () => {
      const { user } = await aUserWithTotp();
      let answer;
      // Each password login and each wrong code is one attempt on the address's lock.
      for (let attempts = 0; ;) {
        const mfaToken = await mfaTokenOf(user.email);
        attempts += 1;
        answer = await finish({ mfaToken, code: '000000' });
        attempts += 1;
        if (attempts >= LOCK_THRESHOLD) break;
      }
      expect(answer.status).toBe(401);
      const locked = await passwordLogin(user.email);
      expect(expectProblem(locked, 429).type).toBe('/problems/too-many-requests');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await events(user.id, 'login.locked')).toHaveLength(1);
    });

    it('takes a recovery code once, in any case and with or without its dash', async () => {
      const { user, recoveryCodes } = await aUserWithTotp();
      const [first, second] = recoveryCodes as [string, string];
      const typed = first.toLowerCase().replace('-', '');
      expect((await finish({ mfaToken: await mfaTokenOf(user.email), recoveryCode: typed })).status).toBe(
        200,
      );
      const reused = await finish({ mfaToken: await mfaTokenOf(user.email), recoveryCode: first });
      expect(expectProblem(reused, 401).type).toBe('/problems/invalid-second-factor');
      expect((await finish({ mfaToken: await mfaTokenOf(user.email), recoveryCode: second })).status).toBe(
        200,
      );
      const used = await events(user.id, 'mfa.recovery-code-used');
      expect(used.map((e) => [e.details.remaining, e.actor_user_id])).toEqual([
        [9, user.id],
        [8, user.id],
      ]);
      const [last] = (await events(user.id, 'login.succeeded')).slice(-1);
      expect(last!.details).toEqual({ secondFactor: 'recovery-code' });
    });

    it('refuses a body with both a code and a recovery code, or neither', async () => {
      const { user, app, recoveryCodes } = await aUserWithTotp();
      const mfaToken = await mfaTokenOf(user.email);
      const both = await send(
        t.api.POST('/api/v1/auth/login/mfa', {
          body: { mfaToken, code: app.code(), recoveryCode: recoveryCodes[0] },
        }),
      );
      expect(expectProblem(both, 400).errors).toEqual([
        { pointer: '#/recoveryCode', detail: 'send either recoveryCode or code, not both' },
      ]);
      const neither = await send(t.api.POST('/api/v1/auth/login/mfa', { body: { mfaToken } }));
      const errors = expectProblem(neither, 400).errors as { pointer: string; detail: string }[];
      expect(errors).toContainEqual({ pointer: '#/code', detail: 'code or recoveryCode is required' });
      expect(new Set(errors.map((e) => e.pointer))).toEqual(new Set(['#/code']));
    });
  });

  describe('changing it', () => {
    const disable = (accessToken: string, body: object) =>
      send(t.api.DELETE('/api/v1/auth/mfa/totp', { ...bearer(accessToken), body: body as never }));
    const regenerate = (accessToken: string, body: object) =>
      send(t.api.POST('/api/v1/auth/mfa/recovery-codes', { ...bearer(accessToken), body: body as never }));

    it('turning it off needs the password and a code; the recovery codes die with it', async () => {
      const { user, tokens, app } = await aUserWithTotp();
      const wrongCode = await disable(tokens.accessToken, { currentPassword: PASSWORD, code: '000000' });
      expect(expectProblem(wrongCode, 400).errors).toEqual([
        { pointer: '#/code', detail: 'is not a current code of your authenticator app' },
      ]);
      const wrongPassword = await disable(tokens.accessToken, {
        currentPassword: 'not it at all',
        code: app.code(1),
      });
      expect(expectProblem(wrongPassword, 400).errors).toEqual([
        { pointer: '#/currentPassword', detail: 'is not the current password' },
      ]);
      expect(
        (await disable(tokens.accessToken, { currentPassword: PASSWORD, code: app.code(1) })).status,
      ).toBe(204);

      expect((await passwordLogin(user.email)).body).toMatchObject({ tokenType: 'Bearer' });
      expect((await me(tokens.accessToken)).body.mfa).toEqual({ totp: false, passkeys: 0 });
      const left = await t.db.query(
        'SELECT (SELECT count(*) FROM recovery_codes WHERE user_id = $1) AS codes, (SELECT count(*) FROM totp_factors WHERE user_id = $1) AS factors',
        [user.id],
      );
      expect(left).toEqual([{ codes: '0', factors: '0' }]);
      expect(await events(user.id, 'mfa.totp-disabled')).toHaveLength(1);
    });

    it('a lost phone: a recovery code turns it off too', async () => {
      const { tokens, recoveryCodes } = await aUserWithTotp();
      const off = await disable(tokens.accessToken, {
        currentPassword: PASSWORD,
        recoveryCode: recoveryCodes[3],
      });
      expect(off.status).toBe(204);
    });

    it('new recovery codes replace the old ones, used or not', async () => {
      const { user, tokens, app, recoveryCodes } = await aUserWithTotp();
      const fresh = await regenerate(tokens.accessToken, { currentPassword: PASSWORD, code: app.code(1) });
      expect(fresh.status).toBe(200);
      const codes = fresh.body.recoveryCodes as string[];
      expect(codes).toHaveLength(10);
      expect(codes.some((code) => recoveryCodes.includes(code))).toBe(false);
      const old = await finish({ mfaToken: await mfaTokenOf(user.email), recoveryCode: recoveryCodes[0]! });
      expect(expectProblem(old, 401).type).toBe('/problems/invalid-second-factor');
      expect((await finish({ mfaToken: await mfaTokenOf(user.email), recoveryCode: codes[0]! })).status).toBe(
        200,
      );
      expect(await events(user.id, 'mfa.recovery-codes-regenerated')).toHaveLength(1);
    });

    it('changing the password leaves the factor on', async () => {
      const { user, tokens } = await aUserWithTotp();
      const newPassword = 'a brand new passphrase 7';
      const changed = await send(
        t.api.POST('/api/v1/auth/change-password', {
          ...bearer(tokens.accessToken),
          body: { currentPassword: PASSWORD, newPassword },
        }),
      );
      expect(changed.status).toBe(204);
      expect((await passwordLogin(user.email, newPassword)).body).toMatchObject({ mfaRequired: true });
    });

    it('an admin resets a user who lost every factor: factors and sessions end, the password stays', async () => {
      const { user, tokens } = await aUserWithTotp();
      const admin = await aSignedInAdmin(t);
      const reset = (accessToken: string) =>
        send(
          t.api.DELETE('/api/v1/users/{id}/mfa', {
            ...bearer(accessToken),
            params: { path: { id: user.id } },
          }),
        );
      expectProblem(await reset(tokens.accessToken), 403);
      expect((await reset(admin.tokens.accessToken)).status).toBe(204);
      expectProblem(await me(tokens.accessToken), 401);
      const signedIn = (await passwordLogin(user.email)).body as Tokens;
      expect((await me(signedIn.accessToken)).body.mfa).toEqual({ totp: false, passkeys: 0 });
      const [event] = await events(user.id, 'mfa.reset');
      expect(event).toEqual({ details: { hadTotp: true, passkeys: 0 }, actor_user_id: admin.user.id });
      const listed = await t.http.get(`/audit-events?subjectUserId=${user.id}&type=mfa.reset`, {
        token: admin.tokens.accessToken,
      });
      expect(listed.body.items.map((e: { details: object }) => e.details)).toEqual([
        { hadTotp: true, passkeys: 0 },
      ]);
    });

    it('deleting the account deletes its factors', async () => {
      const { user, tokens } = await aUserWithTotp();
      expect((await send(t.api.DELETE('/api/v1/users/me', bearer(tokens.accessToken)))).status).toBe(204);
      const left = await t.db.query(
        'SELECT (SELECT count(*) FROM recovery_codes WHERE user_id = $1) + (SELECT count(*) FROM totp_factors WHERE user_id = $1) AS n',
        [user.id],
      );
      expect(left).toEqual([{ n: '0' }]);
    });
  });
});

describe('one code, one recovery code, one mfaToken: used at once (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No lock here: twenty sign-ins of one account in a burst are the point.
    t = await startTestApp({ RATE_LIMIT_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t.close();
  });
  // The server's clock and the test's authenticator app agree on the instant, mid-step.
  let clock: ReturnType<typeof stopClock>;
  beforeEach(() => {
    clock = stopClock(t);
  });
  afterEach(() => jest.restoreAllMocks());

  async function aUserWithTotp() {
    const { user, tokens } = await aVerifiedUser(t);
    return { user, ...(await enableTotp(t.api, tokens.accessToken, PASSWORD, clock.now)) };
  }
  const mfaTokens = (email: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, async () => {
        const { body } = await send(
          t.api.POST('/api/v1/auth/login', { body: { email, password: PASSWORD } }),
        );
        return body.mfaToken as string;
      }),
    );
  const finishAll = (bodies: object[]) =>
    Promise.all(
      bodies.map((body) =>
        send(t.api.POST('/api/v1/auth/login/mfa', { body: body as never })).then((r) => r.status),
      ),
    );
  const count = (statuses: number[]) => ({
    ok: statuses.filter((s) => s === 200).length,
    refused: statuses.filter((s) => s === 401).length,
  });

  // Twenty password logins are twenty argon2 verifications.
  import.meta.jest.setTimeout(30_000);

  it('twenty sign-ins with one code: exactly one succeeds', async () => {
    const { user, app } = await aUserWithTotp();
    const code = app.code(1);
    const statuses = await finishAll(
      (await mfaTokens(user.email, 20)).map((mfaToken) => ({ mfaToken, code })),
    );
    expect(count(statuses)).toEqual({ ok: 1, refused: 19 });
  });

  it('twenty sign-ins with one recovery code: exactly one succeeds', async () => {
    const { user, recoveryCodes } = await aUserWithTotp();
    const recoveryCode = recoveryCodes[0];
    const statuses = await finishAll(
      (await mfaTokens(user.email, 20)).map((mfaToken) => ({ mfaToken, recoveryCode })),
    );
    expect(count(statuses)).toEqual({ ok: 1, refused: 19 });
  });

  it('one mfaToken, ten right answers at once (its ten recovery codes): exactly one session', async () => {
    const { user, recoveryCodes } = await aUserWithTotp();
    const [mfaToken] = await mfaTokens(user.email, 1);
    const statuses = await finishAll(recoveryCodes.map((recoveryCode) => ({ mfaToken, recoveryCode })));
    expect(count(statuses)).toEqual({ ok: 1, refused: 9 });
    const [{ n }] = await t.db.query('SELECT count(*) AS n FROM sessions WHERE user_id = $1', [user.id]);
    // The session that set the factor up, and one more.
    expect(Number(n)).toBe(2);
    // The right answers that lost the race gave their recovery codes back.
    const [{ unused }] = await t.db.query(
      'SELECT count(*) AS unused FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [user.id],
    );
    expect(Number(unused)).toBe(9);
  });
});
