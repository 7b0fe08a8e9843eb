import { aSignedInUser, expectProblem, login, PASSWORD } from '../support/factories.js';
import { bearer, send } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('ending sessions (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (accessToken: string) => send(t.api.GET('/api/v1/users/me', bearer(accessToken)));
  const refresh = (refreshToken: string) =>
    send(t.api.POST('/api/v1/auth/refresh', { body: { refreshToken } }));

  it('logout ends this session only, at once', async () => {
    const { user, tokens: s1 } = await aSignedInUser(t.api);
    const s2 = await login(t.api, user.email);
    expect((await send(t.api.POST('/api/v1/auth/logout', bearer(s1.accessToken)))).status).toBe(204);
    expectProblem(await me(s1.accessToken), 401);
    expectProblem(await refresh(s1.refreshToken), 401);
    expect((await me(s2.accessToken)).status).toBe(200);
  });

  it('logout-all ends every session of the user, and no one else’s', async () => {
    const { user, tokens: s1 } = await aSignedInUser(t.api);
    const s2 = await login(t.api, user.email);
    const other = await aSignedInUser(t.api);
    expect((await send(t.api.POST('/api/v1/auth/logout-all', bearer(s1.accessToken)))).status).toBe(204);
    for (const s of [s1, s2]) {
      expectProblem(await me(s.accessToken), 401);
      expectProblem(await refresh(s.refreshToken), 401);
    }
    expect((await me(other.tokens.accessToken)).status).toBe(200);
  });

  it('change-password needs the current password, keeps this session and ends the others', async () => {
    const { user, tokens: s1 } = await aSignedInUser(t.api);
    const s2 = await login(t.api, user.email);
    const next = 'a brand new passphrase 7';

    const wrong = await send(
      t.api.POST('/api/v1/auth/change-password', {
        ...bearer(s1.accessToken),
        body: { currentPassword: 'not it at all 99', newPassword: next },
      }),
    );
    expect(expectProblem(wrong, 400).errors).toEqual([
      { pointer: '#/currentPassword', detail: expect.any(String) },
    ]);
    const weak = await send(
      t.api.POST('/api/v1/auth/change-password', {
        ...bearer(s1.accessToken),
        body: { currentPassword: PASSWORD, newPassword: 'password1234' },
      }),
    );
    expect(expectProblem(weak, 400).errors).toEqual([
      { pointer: '#/newPassword', detail: expect.any(String) },
    ]);
    expect((await me(s2.accessToken)).status).toBe(200);

    const ok = await send(
      t.api.POST('/api/v1/auth/change-password', {
        ...bearer(s1.accessToken),
        body: { currentPassword: PASSWORD, newPassword: next },
      }),
    );
    expect(ok.status).toBe(204);
    expect((await me(s1.accessToken)).status).toBe(200);
    expect((await refresh(s1.refreshToken)).status).toBe(200);
    expectProblem(await me(s2.accessToken), 401);
    expectProblem(await refresh(s2.refreshToken), 401);
    expectProblem(await t.http.post('/auth/login', { body: { email: user.email, password: PASSWORD } }), 401);
    await login(t.api, user.email, next);
  });

  it('DELETE /users/me removes the account, its sessions and its tokens', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    expect((await send(t.api.DELETE('/api/v1/users/me', bearer(tokens.accessToken)))).status).toBe(204);
    expectProblem(await me(tokens.accessToken), 401);
    expectProblem(await refresh(tokens.refreshToken), 401);
    expectProblem(await t.http.post('/auth/login', { body: { email: user.email, password: PASSWORD } }), 401);
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [user.id]);
    expect(n).toBe(0);
  });

  it('needs a token for logout, logout-all and change-password', async () => {
    for (const path of ['/auth/logout', '/auth/logout-all', '/auth/change-password']) {
      expectProblem(await t.http.post(path), 401);
    }
  });
});
