import { bearer, send } from '../support/api-client.js';
import { enableTotp } from '../support/authenticator-app.js';
import { expectProblem, login, PASSWORD } from '../support/factories.js';
import { aSignedInAdmin, aVerifiedUser, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * docs/security-model.md, I5: a password change, a sign-out everywhere (the user's or an admin's)
 * and a suspension end every pending sign-in of the account: an `mfaToken` issued before them no
 * longer completes, even with the right code.
 */
describe('pending sign-ins (e2e)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof aSignedInAdmin>>;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await aSignedInAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A user with an authenticator app, a live session, and a sign-in waiting for its code. */
  async function aPendingSignIn() {
    const { user, tokens } = await aVerifiedUser(t);
    const { app } = await enableTotp(t.api, tokens.accessToken);
    const started = await send(
      t.api.POST('/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } }),
    );
    expect(started.body).toMatchObject({ mfaRequired: true });
    const finish = () =>
      send(
        t.api.POST('/api/v1/auth/login/mfa', {
          body: { mfaToken: started.body.mfaToken, code: app.code(1) },
        }),
      );
    return { user, tokens, finish };
  }
  const asAdmin = () => bearer(admin.tokens.accessToken);

  it('I5: a password change ends the sign-in pending on the old password', async () => {
    const { tokens, finish } = await aPendingSignIn();
    const changed = await send(
      t.api.POST('/api/v1/auth/change-password', {
        ...bearer(tokens.accessToken),
        body: { currentPassword: PASSWORD, newPassword: 'another passphrase 2026' },
      }),
    );
    expect(changed.status).toBe(204);
    expect(expectProblem(await finish(), 401).type).toBe('/problems/invalid-mfa-token');
  });

  it('I5: signing out everywhere ends it', async () => {
    const { tokens, finish } = await aPendingSignIn();
    expect((await send(t.api.POST('/api/v1/auth/logout-all', bearer(tokens.accessToken)))).status).toBe(204);
    expect(expectProblem(await finish(), 401).type).toBe('/problems/invalid-mfa-token');
  });

  it('I5: an admin’s sign-out everywhere ends it', async () => {
    const { user, finish } = await aPendingSignIn();
    const ended = await send(
      t.api.DELETE('/api/v1/users/{id}/sessions', { ...asAdmin(), params: { path: { id: user.id } } }),
    );
    expect(ended.status).toBe(204);
    expect(expectProblem(await finish(), 401).type).toBe('/problems/invalid-mfa-token');
  });

  it('I5: a suspension ends it, and it stays ended after the unsuspension', async () => {
    const { user, finish } = await aPendingSignIn();
    const path = { params: { path: { id: user.id } } };
    const suspended = await send(
      t.api.POST('/api/v1/users/{id}/suspend', { ...asAdmin(), ...path, body: { reason: 'a test' } }),
    );
    expect(suspended.status).toBe(200);
    expect((await send(t.api.POST('/api/v1/users/{id}/unsuspend', { ...asAdmin(), ...path }))).status).toBe(
      200,
    );
    expect(expectProblem(await finish(), 401).type).toBe('/problems/invalid-mfa-token');
    // The account itself signs in again, with its factor.
    await expect(login(t.api, user.email)).rejects.toThrow('second factor');
  });
});
