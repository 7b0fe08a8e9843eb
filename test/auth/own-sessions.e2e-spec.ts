import { jest } from '@jest/globals';
import { Clock } from '../../src/common/clock.js';
import {
  aSignedInUser,
  expectProblem,
  login,
  PASSWORD,
  tokensOf,
  type Tokens,
} from '../support/factories.js';
import { bearer, send, type Schemas } from '../support/api-client.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

describe('your own sessions: GET /auth/sessions and DELETE /auth/sessions/{id} (e2e)', () => {
  let t: TestApp;
  let clock: Clock;
  beforeAll(async () => {
    // Behind a proxy: the address a session records is the forwarded one.
    t = await startTestApp({
      TRUST_PROXY: 'true',
      AUTH_SESSION_IDLE_TTL: '7d',
      AUTH_REFRESH_TOKEN_TTL: '30d',
    });
    clock = t.app.get(Clock);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
  });

  const at = (time: Date) => jest.spyOn(clock, 'now').mockReturnValue(time);
  const from = (ip: string, userAgent?: string) => ({
    headers: { 'x-forwarded-for': ip, ...(userAgent ? { 'user-agent': userAgent } : {}) },
  });
  const loginFrom = async (email: string, ip: string, userAgent?: string): Promise<Tokens> => {
    const { data, response } = await t.api.POST('/api/v1/auth/login', {
      body: { email, password: PASSWORD },
      ...from(ip, userAgent),
    });
    return tokensOf(data, response);
  };
  const sessionsOf = async (tokens: Tokens): Promise<Schemas['SessionResponseDto'][]> => {
    const answer = await send(t.api.GET('/api/v1/auth/sessions', bearer(tokens.accessToken)));
    expect(answer.status).toBe(200);
    return answer.data!.items;
  };
  const sessionIdOf = (tokens: Tokens): string =>
    JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString()).sid;
  const me = (tokens: Tokens) => send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)));

  it('lists every live session of the caller, last used first, with where it was used and which is this one', async () => {
    const { user } = await aSignedInUser(t.api); // a session from the default client
    const t0 = new Date(Date.now() + 60_000);
    at(t0);
    const laptop = await loginFrom(user.email, '203.0.113.7', 'Firefox on the laptop');
    at(new Date(t0.getTime() + 60_000));
    const phone = await loginFrom(user.email, '2001:db8::42', 'Safari on the phone');
    const other = await aSignedInUser(t.api);

    const items = await sessionsOf(laptop);
    expect(items.slice(0, 2)).toEqual([
      {
        id: sessionIdOf(phone),
        createdAt: new Date(t0.getTime() + 60_000).toISOString(),
        lastUsedAt: new Date(t0.getTime() + 60_000).toISOString(),
        userAgent: 'Safari on the phone',
        ipAddress: '2001:db8::42',
        // A password alone.
        secondFactor: null,
        current: false,
      },
      {
        id: sessionIdOf(laptop),
        createdAt: t0.toISOString(),
        lastUsedAt: t0.toISOString(),
        userAgent: 'Firefox on the laptop',
        ipAddress: '203.0.113.7',
        secondFactor: null,
        current: true,
      },
    ]);
    expect(items).toHaveLength(3);
    expect(items.map((s) => s.id)).not.toContain(sessionIdOf(other.tokens));
    expect(items.filter((s) => s.current)).toHaveLength(1);
  });

  it('moves lastUsedAt, the address and the user agent on a refresh, not on other requests', async () => {
    const { user } = await aSignedInUser(t.api);
    const t0 = new Date(Date.now() + 60_000);
    at(t0);
    const tokens = await loginFrom(user.email, '198.51.100.1', 'old browser');
    const id = sessionIdOf(tokens);
    // Ten minutes on: the access token (15 min) still works, and using it moves nothing.
    at(new Date(t0.getTime() + 600_000));
    expect((await me(tokens)).status).toBe(200);
    expect((await sessionsOf(tokens)).find((s) => s.id === id)).toMatchObject({
      lastUsedAt: t0.toISOString(),
      ipAddress: '198.51.100.1',
    });

    const refreshed = await send(
      t.api.POST('/api/v1/auth/refresh', {
        body: { refreshToken: tokens.refreshToken },
        ...from('198.51.100.2', 'new browser'),
      }),
    );
    expect(refreshed.status).toBe(200);
    expect((await sessionsOf(refreshed.body!)).find((s) => s.id === id)).toEqual({
      id,
      createdAt: t0.toISOString(),
      lastUsedAt: new Date(t0.getTime() + 600_000).toISOString(),
      userAgent: 'new browser',
      ipAddress: '198.51.100.2',
      secondFactor: null,
      current: true,
    });
  });

  it('leaves out sessions that ended: logged out, idle too long, or past their end', async () => {
    const { user, tokens: current } = await aSignedInUser(t.api);
    const loggedOut = await loginFrom(user.email, '192.0.2.1');
    expect((await send(t.api.POST('/api/v1/auth/logout', bearer(loggedOut.accessToken)))).status).toBe(204);
    const idle = await loginFrom(user.email, '192.0.2.2');
    // `current` refreshes on day 4 and stays alive; `idle` is unused for 8 days (AUTH_SESSION_IDLE_TTL: 7 d).
    const day = 86_400_000;
    at(new Date(Date.now() + 4 * day));
    const kept = await send(
      t.api.POST('/api/v1/auth/refresh', { body: { refreshToken: current.refreshToken } }),
    );
    expect(kept.status).toBe(200);
    at(new Date(Date.now() + 8 * day));
    const again = await send(
      t.api.POST('/api/v1/auth/refresh', { body: { refreshToken: kept.body!.refreshToken } }),
    );
    expect(again.status).toBe(200);
    const ids = (await sessionsOf(again.body!)).map((s) => s.id);
    expect(ids).toEqual([sessionIdOf(current)]);
    expect(ids).not.toContain(sessionIdOf(idle));
    expect(ids).not.toContain(sessionIdOf(loggedOut));
    // Past the absolute end (AUTH_REFRESH_TOKEN_TTL, 30 d), even a session in use ends.
    at(new Date(Date.now() + 31 * day));
    expectProblem(
      await send(t.api.POST('/api/v1/auth/refresh', { body: { refreshToken: again.body!.refreshToken } })),
      401,
    );
  });

  it('ends one session: its access and refresh tokens stop working on the next request, the others go on', async () => {
    const { user, tokens: laptop } = await aSignedInUser(t.api);
    const phone = await loginFrom(user.email, '192.0.2.10', 'phone');
    const ended = await send(
      t.api.DELETE('/api/v1/auth/sessions/{id}', {
        ...bearer(laptop.accessToken),
        params: { path: { id: sessionIdOf(phone) } },
      }),
    );
    expect(ended.status).toBe(204);
    expectProblem(await me(phone), 401);
    expectProblem(
      await send(t.api.POST('/api/v1/auth/refresh', { body: { refreshToken: phone.refreshToken } })),
      401,
    );
    expect((await me(laptop)).status).toBe(200);
    expect((await sessionsOf(laptop)).map((s) => s.id)).toEqual([sessionIdOf(laptop)]);

    // Ending the current one is a logout.
    const self = await send(
      t.api.DELETE('/api/v1/auth/sessions/{id}', {
        ...bearer(laptop.accessToken),
        params: { path: { id: sessionIdOf(laptop).toUpperCase() } },
      }),
    );
    expect(self.status).toBe(204);
    expectProblem(await me(laptop), 401);
  });

  it("answers another account's session, an ended one and one that never existed with the same 404", async () => {
    const alice = await aSignedInUser(t.api);
    const bob = await aSignedInUser(t.api);
    const ended = await loginFrom(alice.user.email, '192.0.2.20');
    await send(t.api.POST('/api/v1/auth/logout', bearer(ended.accessToken)));
    const answers = [];
    for (const id of [sessionIdOf(bob.tokens), sessionIdOf(ended), '00000000-0000-4000-8000-000000000000']) {
      const answer = await send(
        t.api.DELETE('/api/v1/auth/sessions/{id}', {
          ...bearer(alice.tokens.accessToken),
          params: { path: { id } },
        }),
      );
      answers.push({ status: answer.status, detail: expectProblem(answer, 404).detail });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect((await me(bob.tokens)).status).toBe(200);
    const malformed = await t.http.delete('/auth/sessions/not-a-uuid', { token: alice.tokens.accessToken });
    expect(expectProblem(malformed, 400).errors).toEqual([{ parameter: 'id', detail: 'id must be a UUID' }]);
  });

  it('records no address that is not one, and cuts a long user agent', async () => {
    const { user } = await aSignedInUser(t.api);
    const tokens = await loginFrom(user.email, 'not-an-address', 'x'.repeat(2000));
    const mine = (await sessionsOf(tokens)).find((s) => s.current);
    expect(mine).toMatchObject({ ipAddress: null, userAgent: 'x'.repeat(512) });
  });

  it('needs a signed-in caller', async () => {
    expectProblem(await send(t.api.GET('/api/v1/auth/sessions')), 401);
    expectProblem(
      await send(
        t.api.DELETE('/api/v1/auth/sessions/{id}', {
          params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
        }),
      ),
      401,
    );
  });
});

describe('DELETE /users/{id}/sessions: an admin signs a user out everywhere (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (tokens: Tokens) => send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)));
  const endAll = (id: string, token: string) => t.http.delete(`/users/${id}/sessions`, { token });

  it("ends every session of that user at once, and nobody else's; the user can sign in again", async () => {
    const admin = await aSignedInAdmin(t);
    const { user, tokens: s1 } = await aSignedInUser(t.api);
    const s2 = await login(t.api, user.email);
    const bystander = await aSignedInUser(t.api);

    expect((await endAll(user.id, admin.tokens.accessToken)).status).toBe(204);
    for (const s of [s1, s2]) {
      expectProblem(await me(s), 401);
      expectProblem(
        await send(t.api.POST('/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })),
        401,
      );
    }
    expect((await me(bystander.tokens)).status).toBe(200);
    expect((await me(admin.tokens)).status).toBe(200);
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [user.id]);
    expect(n).toBe(0);
    expect((await me(await login(t.api, user.email))).status).toBe(200);
    // Again, with nothing left to end: still a 204.
    expect((await endAll(user.id, admin.tokens.accessToken)).status).toBe(204);
  });

  it('is for admins only, and a 404 for a user who does not exist', async () => {
    const admin = await aSignedInAdmin(t);
    const { user, tokens } = await aSignedInUser(t.api);
    const other = await aSignedInUser(t.api);
    expectProblem(await endAll(other.user.id, tokens.accessToken), 403);
    expectProblem(await endAll(user.id, tokens.accessToken), 403);
    expect((await me(other.tokens)).status).toBe(200);
    expectProblem(await endAll('0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', admin.tokens.accessToken), 404);
    expectProblem(await endAll('not-a-uuid', admin.tokens.accessToken), 400);
    expectProblem(await t.http.delete(`/users/${user.id}/sessions`), 401);
  });
});
