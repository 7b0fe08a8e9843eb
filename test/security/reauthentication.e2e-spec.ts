import { jest } from '@jest/globals';
import { Clock } from '../../src/common/clock.js';
import { bearer, send } from '../support/api-client.js';
import { enableTotp } from '../support/authenticator-app.js';
import { expectProblem, login, PASSWORD } from '../support/factories.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { aVerifiedUser, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://localhost:3997';
const WINDOW_SECONDS = 600;

/**
 * docs/security-model.md, I2: what weakens an account (deleting it, changing its passkeys) needs a
 * session that proved who holds it within AUTH_REAUTHENTICATION_WINDOW; a stolen access token
 * alone does not do.
 */
describe('recent authentication (e2e)', () => {
  let t: TestApp;
  let clock: Clock;
  beforeAll(async () => {
    t = await startTestApp({
      APP_PUBLIC_URL: PUBLIC_URL,
      AUTH_REAUTHENTICATION_WINDOW: '10m',
      // The login lock is under test; the other limits stay out of the way.
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_PER_MINUTE: '10000',
      RATE_LIMIT_SIGNUP_PER_HOUR: '1000',
      AUTH_LOCKOUT_THRESHOLD: '5',
    });
    clock = t.app.get(Clock);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
  });

  /** The clock `seconds` ahead of the real one, for the app. */
  const later = (seconds: number) =>
    jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + seconds * 1000));
  const reauthenticate = (accessToken: string, body: object) =>
    send(t.api.POST('/api/v1/auth/reauthenticate', { ...bearer(accessToken), body: body as never }));
  const deleteMe = (accessToken: string) => send(t.api.DELETE('/api/v1/users/me', bearer(accessToken)));
  const events = (userId: string, type: string) =>
    t.db.query(
      'SELECT details, session_id FROM audit_events WHERE subject_user_id = $1 AND type = $2 ORDER BY id',
      [userId, type],
    ) as Promise<{ details: Record<string, unknown>; session_id: string }[]>;

  async function aUserWithPasskey() {
    const { user, tokens } = await aVerifiedUser(t);
    const authenticator = new SoftwareAuthenticator(PUBLIC_URL);
    const options = await send(
      t.api.POST('/api/v1/auth/passkeys/registration/options', {
        ...bearer(tokens.accessToken),
        body: { currentPassword: PASSWORD },
      }),
    );
    const registered = await send(
      t.api.POST('/api/v1/auth/passkeys/registration', {
        ...bearer(tokens.accessToken),
        body: { response: authenticator.register(options.body) } as never,
      }),
    );
    expect(registered.status).toBe(201);
    return { user, tokens, authenticator, passkeyId: registered.body.id as string };
  }
  const assertion = async (authenticator: SoftwareAuthenticator) => {
    const options = await send(t.api.POST('/api/v1/auth/passkeys/authentication/options'));
    return authenticator.authenticate(options.body);
  };

  it('I2: a sign-in counts as recent: the account can be deleted right after it', async () => {
    const { tokens } = await aVerifiedUser(t);
    expect((await deleteMe(tokens.accessToken)).status).toBe(204);
  });

  it('I2: past the window, deleting the account and renaming or removing a passkey are 403 reauthentication-required, and change nothing', async () => {
    const { user, tokens, passkeyId } = await aUserWithPasskey();
    later(WINDOW_SECONDS + 1);
    const refusals = [
      await deleteMe(tokens.accessToken),
      await send(
        t.api.PATCH('/api/v1/auth/passkeys/{id}', {
          ...bearer(tokens.accessToken),
          params: { path: { id: passkeyId } },
          body: { name: 'renamed' },
        }),
      ),
      await send(
        t.api.DELETE('/api/v1/auth/passkeys/{id}', {
          ...bearer(tokens.accessToken),
          params: { path: { id: passkeyId } },
        }),
      ),
    ];
    for (const refused of refusals)
      expect(expectProblem(refused, 403).type).toBe('/problems/reauthentication-required');
    const [row] = await t.db.query(
      'SELECT (SELECT count(*) FROM users WHERE id = $1)::int AS users, (SELECT name FROM passkeys WHERE id = $2) AS name',
      [user.id, passkeyId],
    );
    expect(row).toEqual({ users: 1, name: expect.not.stringMatching(/^renamed$/) });
  });

  it('I2: the password renews the window for this session only, and is recorded', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    const other = await login(t.api, user.email);
    later(WINDOW_SECONDS + 1);
    expect((await reauthenticate(tokens.accessToken, { currentPassword: PASSWORD })).status).toBe(204);
    expect(expectProblem(await deleteMe(other.accessToken), 403).type).toBe(
      '/problems/reauthentication-required',
    );
    const [event] = await events(user.id, 'session.reauthenticated');
    expect(event!.details).toEqual({ proof: 'password' });
    later(WINDOW_SECONDS + 200); // within the access token's 15 minutes, and the renewed window
    expect((await deleteMe(tokens.accessToken)).status).toBe(204);
  });

  it('I2: a code of the authenticator app or a recovery code renews it too', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    const { app, recoveryCodes } = await enableTotp(t.api, tokens.accessToken);
    later(WINDOW_SECONDS + 1);
    // The app's clock is 20 steps of 30 s ahead of the phone's: the code of that moment.
    expect((await reauthenticate(tokens.accessToken, { code: app.code(WINDOW_SECONDS / 30) })).status).toBe(
      204,
    );
    expect((await reauthenticate(tokens.accessToken, { recoveryCode: recoveryCodes[0]! })).status).toBe(204);
    const reused = await reauthenticate(tokens.accessToken, { recoveryCode: recoveryCodes[0]! });
    expect(expectProblem(reused, 400).errors).toEqual([
      { pointer: '#/recoveryCode', detail: 'is not an unused recovery code' },
    ]);
    expect((await events(user.id, 'session.reauthenticated')).map((e) => e.details.proof)).toEqual([
      'totp',
      'recovery-code',
    ]);
  });

  it('I2: a passkey of the account renews it too; another account’s passkey is a 400 on #/passkey', async () => {
    const { user, tokens, authenticator, passkeyId } = await aUserWithPasskey();
    const other = await aUserWithPasskey();
    later(WINDOW_SECONDS + 1);
    const foreign = await reauthenticate(tokens.accessToken, {
      passkey: await assertion(other.authenticator),
    });
    expect(expectProblem(foreign, 400).errors).toEqual([
      {
        pointer: '#/passkey',
        detail: 'is not a valid assertion of one of your passkeys for a live challenge',
      },
    ]);
    expect(
      (await reauthenticate(tokens.accessToken, { passkey: await assertion(authenticator) })).status,
    ).toBe(204);
    const removed = await send(
      t.api.DELETE('/api/v1/auth/passkeys/{id}', {
        ...bearer(tokens.accessToken),
        params: { path: { id: passkeyId } },
      }),
    );
    expect(removed.status).toBe(204);
    expect((await events(user.id, 'session.reauthenticated')).map((e) => e.details)).toEqual([
      { proof: 'passkey' },
    ]);
    expect((await events(other.user.id, 'proof.failed')).map((e) => e.details)).toEqual([]);
  });

  it('I6: wrong passwords count toward the login lock, which then refuses even the right one', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    for (let i = 0; i < 5; i++) {
      const wrong = await reauthenticate(tokens.accessToken, { currentPassword: `not it ${i} at all` });
      expect(expectProblem(wrong, 400).errors).toEqual([
        { pointer: '#/currentPassword', detail: 'is not the current password' },
      ]);
    }
    const locked = await reauthenticate(tokens.accessToken, { currentPassword: PASSWORD });
    expect(expectProblem(locked, 429).type).toBe('/problems/too-many-requests');
    expect(await events(user.id, 'session.reauthenticated')).toEqual([]);
  });

  it('takes exactly one proof, and a code only from an account with an authenticator app', async () => {
    const { tokens } = await aVerifiedUser(t);
    expect(expectProblem(await reauthenticate(tokens.accessToken, {}), 400).errors).toContainEqual({
      pointer: '#/currentPassword',
      detail: 'currentPassword, code, recoveryCode or passkey is required',
    });
    const both = await reauthenticate(tokens.accessToken, { currentPassword: PASSWORD, code: '123456' });
    expect(expectProblem(both, 400).errors).toContainEqual({
      pointer: '#/code',
      detail: 'send one of currentPassword, code, recoveryCode or passkey, not several',
    });
    const noApp = await reauthenticate(tokens.accessToken, { code: '123456' });
    expect(expectProblem(noApp, 409).type).toBe('/problems/totp-not-set-up');
    const anonymous = await send(
      t.api.POST('/api/v1/auth/reauthenticate', { body: { currentPassword: PASSWORD } }),
    );
    expectProblem(anonymous, 401);
  });
});
