import { aSignedInUser, expectProblem } from '../support/factories.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

describe('access control (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = (await aSignedInAdmin(t)).tokens.accessToken;
  });
  afterAll(async () => {
    await t.close();
  });

  it("keeps a user out of another user's account: 404 to read, 403 to change or delete, and B unchanged", async () => {
    const a = await aSignedInUser(t.http);
    const b = await aSignedInUser(t.http, { name: 'Bea' });
    const asA = { token: a.tokens.accessToken };
    expectProblem(await t.http.get(`/users/${b.user.id}`, asA), 404);
    expectProblem(await t.http.patch(`/users/${b.user.id}`, { ...asA, body: { name: 'pwned' } }), 403);
    expectProblem(await t.http.patch(`/users/${b.user.id}`, { ...asA, body: { role: 'admin' } }), 403);
    expectProblem(await t.http.delete(`/users/${b.user.id}`, asA), 403);
    expectProblem(await t.http.get('/users', asA), 403);
    const still = await t.http.get('/users/me', { token: b.tokens.accessToken });
    expect(still.body).toMatchObject({ id: b.user.id, name: 'Bea', role: 'user' });
  });

  it('answers a user reading an unknown id exactly like reading someone else', async () => {
    const a = await aSignedInUser(t.http);
    const b = await aSignedInUser(t.http);
    const other = await t.http.get(`/users/${b.user.id}`, { token: a.tokens.accessToken });
    const unknown = await t.http.get('/users/0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', {
      token: a.tokens.accessToken,
    });
    const shape = (r: any) => ({
      status: r.status,
      type: r.body.type,
      title: r.body.title,
      detail: r.body.detail,
    });
    expect(shape(other)).toEqual(shape(unknown));
  });

  it('lets users read themselves by id, and admins read anyone', async () => {
    const a = await aSignedInUser(t.http);
    expect((await t.http.get(`/users/${a.user.id}`, { token: a.tokens.accessToken })).status).toBe(200);
    expect((await t.http.get(`/users/${a.user.id}`, { token: admin })).status).toBe(200);
  });

  it('refuses role, emailVerified and any other unknown field in PATCH /users/me, changing nothing', async () => {
    const a = await aSignedInUser(t.http, { name: 'Original' });
    for (const body of [
      { role: 'admin' },
      { emailVerified: true },
      { name: 'New', role: 'admin' },
      { email: 'x@example.com' },
    ]) {
      expectProblem(await t.http.patch('/users/me', { token: a.tokens.accessToken, body }), 400);
    }
    const me = await t.http.get('/users/me', { token: a.tokens.accessToken });
    expect(me.body).toMatchObject({
      name: 'Original',
      role: 'user',
      emailVerified: false,
      email: a.user.email,
    });
  });

  it('applies role changes and deletions by an admin to tokens already issued', async () => {
    const a = await aSignedInUser(t.http);
    const asA = { token: a.tokens.accessToken };
    expectProblem(await t.http.get('/users?limit=1', asA), 403);
    expect(
      (await t.http.patch(`/users/${a.user.id}`, { token: admin, body: { role: 'admin' } })).status,
    ).toBe(200);
    expect((await t.http.get('/users?limit=1', asA)).status).toBe(200);
    expect((await t.http.patch(`/users/${a.user.id}`, { token: admin, body: { role: 'user' } })).status).toBe(
      200,
    );
    expectProblem(await t.http.get('/users?limit=1', asA), 403);
    expect((await t.http.delete(`/users/${a.user.id}`, { token: admin })).status).toBe(204);
    expectProblem(await t.http.get('/users/me', asA), 401);
    expectProblem(await t.http.post('/auth/refresh', { body: { refreshToken: a.tokens.refreshToken } }), 401);
  });
});
