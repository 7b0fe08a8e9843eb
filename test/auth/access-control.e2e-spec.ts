import { aSignedInUser, expectProblem } from '../support/factories.js';
import { bearer, send } from '../support/api-client.js';
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
    const a = await aSignedInUser(t.api);
    const b = await aSignedInUser(t.api, { name: 'Bea' });
    const asA = { token: a.tokens.accessToken };
    expectProblem(
      await send(
        t.api.GET('/api/v1/users/{id}', { ...bearer(asA.token), params: { path: { id: b.user.id } } }),
      ),
      404,
    );
    expectProblem(
      await send(
        t.api.PATCH('/api/v1/users/{id}', {
          ...bearer(asA.token),
          params: { path: { id: b.user.id } },
          body: { name: 'pwned' },
        }),
      ),
      403,
    );
    expectProblem(
      await send(
        t.api.PATCH('/api/v1/users/{id}', {
          ...bearer(asA.token),
          params: { path: { id: b.user.id } },
          body: { role: 'admin' },
        }),
      ),
      403,
    );
    expectProblem(
      await send(
        t.api.DELETE('/api/v1/users/{id}', { ...bearer(asA.token), params: { path: { id: b.user.id } } }),
      ),
      403,
    );
    expectProblem(await t.http.get('/users', asA), 403);
    const still = await send(t.api.GET('/api/v1/users/me', bearer(b.tokens.accessToken)));
    expect(still.body).toMatchObject({ id: b.user.id, name: 'Bea', role: 'user' });
  });

  it('answers a user reading an unknown id exactly like reading someone else', async () => {
    const a = await aSignedInUser(t.api);
    const b = await aSignedInUser(t.api);
    const other = await send(
      t.api.GET('/api/v1/users/{id}', {
        ...bearer(a.tokens.accessToken),
        params: { path: { id: b.user.id } },
      }),
    );
    const unknown = await t.http.get('/users/0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', {
      token: a.tokens.accessToken,
    });
    const shape = (r: any) => ({
      status: r.status,
      type: r.body.type,
      title: r.body.title,
      detail: r.body.detail,
    });
    // Equal, and both the not-found answer: two identical failures of another kind would be equal too.
    expect(shape(other)).toEqual(shape(unknown));
    expect(expectProblem(unknown, 404).type).toBe('/problems/not-found');
  });

  it('lets users read themselves by id, and admins read anyone', async () => {
    const a = await aSignedInUser(t.api);
    expect(
      (
        await send(
          t.api.GET('/api/v1/users/{id}', {
            ...bearer(a.tokens.accessToken),
            params: { path: { id: a.user.id } },
          }),
        )
      ).status,
    ).toBe(200);
    expect(
      (await send(t.api.GET('/api/v1/users/{id}', { ...bearer(admin), params: { path: { id: a.user.id } } })))
        .status,
    ).toBe(200);
  });

  it('refuses role, emailVerified and any other unknown field in PATCH /users/me, changing nothing', async () => {
    const a = await aSignedInUser(t.api, { name: 'Original' });
    for (const body of [
      { role: 'admin' },
      { emailVerified: true },
      { name: 'New', role: 'admin' },
      { email: 'x@example.com' },
    ]) {
      expectProblem(
        await send(t.api.PATCH('/api/v1/users/me', { ...bearer(a.tokens.accessToken), body: body as never })),
        400,
      );
    }
    const me = await send(t.api.GET('/api/v1/users/me', bearer(a.tokens.accessToken)));
    expect(me.body).toMatchObject({
      name: 'Original',
      role: 'user',
      emailVerified: false,
      email: a.user.email,
    });
  });

  it('applies role changes and deletions by an admin to tokens already issued', async () => {
    const a = await aSignedInUser(t.api);
    const asA = { token: a.tokens.accessToken };
    expectProblem(await t.http.get('/users?limit=1', asA), 403);
    expect(
      (
        await send(
          t.api.PATCH('/api/v1/users/{id}', {
            ...bearer(admin),
            params: { path: { id: a.user.id } },
            body: { role: 'admin' },
          }),
        )
      ).status,
    ).toBe(200);
    expect((await t.http.get('/users?limit=1', asA)).status).toBe(200);
    expect(
      (
        await send(
          t.api.PATCH('/api/v1/users/{id}', {
            ...bearer(admin),
            params: { path: { id: a.user.id } },
            body: { role: 'user' },
          }),
        )
      ).status,
    ).toBe(200);
    expectProblem(await t.http.get('/users?limit=1', asA), 403);
    expect(
      (
        await send(
          t.api.DELETE('/api/v1/users/{id}', { ...bearer(admin), params: { path: { id: a.user.id } } }),
        )
      ).status,
    ).toBe(204);
    expectProblem(await send(t.api.GET('/api/v1/users/me', bearer(asA.token))), 401);
    expectProblem(
      await send(t.api.POST('/api/v1/auth/refresh', { body: { refreshToken: a.tokens.refreshToken } })),
      401,
    );
  });
});
