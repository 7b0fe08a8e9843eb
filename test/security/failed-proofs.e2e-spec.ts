import { bearer, send } from '../support/api-client.js';
import { enableTotp } from '../support/authenticator-app.js';
import { expectProblem, PASSWORD } from '../support/factories.js';
import { aVerifiedUser, startTestApp, type TestApp } from '../support/test-app.js';

const LOCK_THRESHOLD = 4;

/**
 * docs/security-model.md, I6: every failed proof counts toward the address's lock and is recorded;
 * an attempt the lock refuses costs no hash, so only the first refusal of each lock writes a row.
 */
describe('failed proofs (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_PER_MINUTE: '10000',
      RATE_LIMIT_SIGNUP_PER_HOUR: '1000',
      AUTH_LOCKOUT_THRESHOLD: String(LOCK_THRESHOLD),
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const events = (userId: string | null, type: string) =>
    t.db.query(
      `SELECT details, actor_user_id FROM audit_events
        WHERE subject_user_id IS NOT DISTINCT FROM $1 AND type = $2 ORDER BY id`,
      [userId, type],
    ) as Promise<{ details: Record<string, unknown>; actor_user_id: string | null }[]>;

  it('I6: a wrong current password (change-password, change-email, a passkey’s options) is a proof.failed', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    const wrong = 'not the password at all';
    const answers = [
      await send(
        t.api.POST('/api/v1/auth/change-password', {
          ...bearer(tokens.accessToken),
          body: { currentPassword: wrong, newPassword: 'a new passphrase 2026' },
        }),
      ),
      await send(
        t.api.POST('/api/v1/auth/change-email', {
          ...bearer(tokens.accessToken),
          body: { currentPassword: wrong, newEmail: `new-${user.id.slice(0, 8)}@example.com` },
        }),
      ),
      await send(
        t.api.POST('/api/v1/auth/passkeys/registration/options', {
          ...bearer(tokens.accessToken),
          body: { currentPassword: wrong },
        }),
      ),
    ];
    for (const answer of answers) expectProblem(answer, 400);
    expect(await events(user.id, 'proof.failed')).toEqual(
      Array.from({ length: 3 }, () => ({ details: { proof: 'password' }, actor_user_id: null })),
    );
  });

  it('I6: a wrong code when turning the app off or replacing the codes, and an unknown mfaToken, are recorded', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    await enableTotp(t.api, tokens.accessToken);
    const disabled = await send(
      t.api.DELETE('/api/v1/auth/mfa/totp', {
        ...bearer(tokens.accessToken),
        body: { currentPassword: PASSWORD, recoveryCode: 'AAAAA-BBBBB' },
      }),
    );
    expectProblem(disabled, 400);
    const finish = await send(
      t.api.POST('/api/v1/auth/login/mfa', { body: { mfaToken: 'x'.repeat(43), code: '123456' } }),
    );
    expect(expectProblem(finish, 401).type).toBe('/problems/invalid-mfa-token');
    expect((await events(user.id, 'proof.failed')).map((e) => e.details)).toEqual([
      { proof: 'recovery-code' },
    ]);
    expect((await events(null, 'proof.failed')).map((e) => e.details)).toContainEqual({ proof: 'mfa-token' });
  });

  it('I6: a locked address refuses every further attempt, with one row per lock, not one per attempt', async () => {
    const { user } = await aVerifiedUser(t);
    const attempt = () =>
      send(
        t.api.POST('/api/v1/auth/login', { body: { email: user.email, password: 'wrong wrong wrong 1' } }),
      );
    for (let i = 0; i < LOCK_THRESHOLD; i++) expectProblem(await attempt(), 401);
    for (let i = 0; i < 20; i++) expectProblem(await attempt(), 429);
    const failed = await events(user.id, 'login.failed');
    expect(failed.map((e) => e.details.reason)).toEqual([
      ...Array(LOCK_THRESHOLD).fill('wrong-password'),
      'locked',
    ]);
  });

  it('I6: a user calling an admin route gets 403, recorded as access.denied with the route', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    const denied = await send(t.api.GET('/api/v1/users', bearer(tokens.accessToken)));
    expect(expectProblem(denied, 403).type).toBe('/problems/forbidden');
    expect(await events(user.id, 'access.denied')).toEqual([
      { details: { route: 'GET /api/v1/users' }, actor_user_id: user.id },
    ]);
  });
});
