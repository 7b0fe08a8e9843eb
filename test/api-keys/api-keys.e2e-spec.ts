import { randomBytes } from 'node:crypto';
import { API_KEY_PATTERN, apiKeyTextOf } from '../../src/api-keys/api-key-text.js';
import { bearer, send, type ApiClient } from '../support/api-client.js';
import { aSignedInUser, expectProblem, login, type Tokens } from '../support/factories.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

const WHOLE_KEY = new RegExp(`^${API_KEY_PATTERN.source}$`);
const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A well-formed key (its checksum holds) whose random part starts as `start` does. */
const wellFormedKey = (start: string) =>
  apiKeyTextOf((start + randomBytes(30).toString('hex')).slice(0, 30).replace(/[^A-Za-z0-9]/g, 'x'));

/** A new key of the signed-in caller's. */
async function aKey(
  api: ApiClient,
  tokens: Tokens,
  body: { scopes: string[]; name?: string; expiresAt?: string },
) {
  const created = await send(
    api.POST('/api/v1/auth/api-keys', {
      ...bearer(tokens.accessToken),
      body: { name: 'Nightly export', ...body } as never,
    }),
  );
  expect(created.status).toBe(201);
  return created.data!;
}

describe('API keys (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (key: string) => t.http.get('/api/v1/users/me', { headers: { authorization: `Bearer ${key}` } });

  it('answers a key once, keeps only a keyed hash of it, and the key acts as its owner', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const created = await aKey(t.api, tokens, { scopes: ['users:read'] });
    expect(created.key).toMatch(WHOLE_KEY);
    expect(created).toMatchObject({
      prefix: created.key.slice(0, 8),
      scopes: ['users:read'],
      lastUsedAt: null,
    });
    // API_KEY_MAX_TTL (365 days) when no expiry is asked for.
    const days = (Date.parse(created.expiresAt!) - Date.parse(created.createdAt)) / 86_400_000;
    expect(days).toBe(365);

    const answered = await me(created.key);
    expect(answered.status).toBe(200);
    expect(answered.body.id).toBe(user.id);

    const listed = await send(t.api.GET('/api/v1/auth/api-keys', bearer(tokens.accessToken)));
    expect(listed.data!.items).toEqual([
      expect.objectContaining({ id: created.id, prefix: created.prefix, lastUsedFrom: '127.0.0.1' }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    const [row] = await t.db.query('SELECT to_jsonb(k) AS row, secret_hash FROM api_keys k WHERE id = $1', [
      created.id,
    ]);
    expect(JSON.stringify(row.row)).not.toContain(created.key.slice(8));
    expect(row.secret_hash).toHaveLength(32);
  });

  it('refuses a malformed key, a key whose checksum fails and an unknown one alike, with a 401', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const { key } = await aKey(t.api, tokens, { scopes: ['users:read'] });
    const flipped = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11);
    for (const wrong of ['gat_short', `${key}x`, flipped, key.slice(0, 34) + 'AAAAAA']) {
      const refused = await me(wrong);
      expect(expectProblem(refused, 401)).toMatchObject({ type: '/problems/unauthenticated' });
      expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
  });

  // Only a keyed hash is looked up: a key that shares its visible start with a real one costs what
  // an unknown key does, so timing tells nothing about which prefixes exist.
  it('takes about as long for an unknown key as for a wrong secret behind a real prefix (medians of 40 within 25%)', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const { key } = await aKey(t.api, tokens, { scopes: ['users:read'] });
    const time = async (presented: string) => {
      const started = performance.now();
      expect((await me(presented)).status).toBe(401);
      return performance.now() - started;
    };
    const wrongSecret: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 40; i++) {
      wrongSecret.push(await time(wellFormedKey(key.slice(4, 8))));
      unknown.push(await time(wellFormedKey('')));
    }
    const ratio = median(unknown) / median(wrongSecret);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.25);
  });

  it('opens only the routes that name one of its scopes, and says which scope was missing', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const reader = (await aKey(t.api, tokens, { scopes: ['users:read'] })).key;
    const auth = { authorization: `Bearer ${reader}` };
    const write = await t.http.request('PATCH', '/api/v1/users/me', {
      headers: auth,
      body: { name: 'Robot' },
    });
    expect(expectProblem(write, 403)).toMatchObject({ type: '/problems/insufficient-scope' });
    expect(write.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="users:write"',
    );
    // Never a route that changes how one signs in, whatever the scopes.
    const all = (
      await aKey(t.api, tokens, { scopes: ['users:read', 'users:write', 'sessions:read', 'audit:read'] })
    ).key;
    for (const [method, path] of [
      ['POST', '/api/v1/auth/api-keys'],
      ['POST', '/api/v1/auth/change-password'],
      ['POST', '/api/v1/auth/logout'],
      ['DELETE', '/api/v1/users/me'],
    ] as const) {
      const refused = await t.http.request(method, path, {
        headers: { authorization: `Bearer ${all}` },
        body: method === 'POST' ? {} : undefined,
      });
      expect({ path, type: expectProblem(refused, 403).type }).toEqual({
        path,
        type: '/problems/insufficient-scope',
      });
    }
    const sessions = await t.http.get('/api/v1/auth/sessions', {
      headers: { authorization: `Bearer ${all}` },
    });
    expect(sessions.status).toBe(200);
    expect(sessions.body.items.every((s: { current: boolean }) => !s.current)).toBe(true);
  });

  it('needs a recent sign-in to create a key, and refuses expiries in the past or beyond API_KEY_MAX_TTL', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const create = (body: object) =>
      t.http.request('POST', '/api/v1/auth/api-keys', {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
        body: { name: 'k', scopes: ['users:read'], ...body },
      });
    for (const expiresAt of ['2020-01-01T00:00:00Z', new Date(Date.now() + 400 * 86_400_000).toISOString()]) {
      const refused = expectProblem(await create({ expiresAt }), 400);
      expect(refused.errors).toEqual([expect.objectContaining({ pointer: '#/expiresAt' })]);
    }
    expect(expectProblem(await create({ scopes: ['users:admin'] }), 400).errors[0].pointer).toMatch(/scopes/);
    await t.db.query("UPDATE sessions SET authenticated_at = now() - interval '1 day' WHERE user_id = $1", [
      user.id,
    ]);
    expect(expectProblem(await create({}), 403).type).toBe('/problems/reauthentication-required');
    expect(await t.db.query('SELECT 1 FROM api_keys WHERE user_id = $1', [user.id])).toEqual([]);
  });

  it('stops working at once when revoked, on another instance too', async () => {
    const other = await startTestApp({}, { databaseUrl: t.databaseUrl });
    try {
      const { tokens } = await aSignedInUser(t.api);
      const { id, key } = await aKey(t.api, tokens, { scopes: ['users:read'] });
      const onOther = () =>
        other.http.get('/api/v1/users/me', { headers: { authorization: `Bearer ${key}` } });
      expect((await onOther()).status).toBe(200);
      const revoked = await send(
        t.api.DELETE('/api/v1/auth/api-keys/{id}', {
          ...bearer(tokens.accessToken),
          params: { path: { id } },
        }),
      );
      expect(revoked.status).toBe(204);
      expectProblem(await onOther(), 401);
      expectProblem(await me(key), 401);
    } finally {
      await other.close();
    }
  });

  it('follows its owner: refused while suspended, held to a role lost, gone with the account', async () => {
    const admin = await aSignedInAdmin(t);
    const owner = await aSignedInAdmin(t);
    const { key } = await aKey(t.api, owner.tokens, { scopes: ['users:read'] });
    const list = () => t.http.get('/api/v1/users', { headers: { authorization: `Bearer ${key}` } });
    expect((await list()).status).toBe(200);

    const asAdmin = { authorization: `Bearer ${admin.tokens.accessToken}` };
    await t.http.request('PATCH', `/api/v1/users/${owner.user.id}`, {
      headers: asAdmin,
      body: { role: 'user' },
    });
    expect(expectProblem(await list(), 403).type).toBe('/problems/forbidden');
    expect((await me(key)).status).toBe(200);

    expect(
      (
        await t.http.request('POST', `/api/v1/users/${owner.user.id}/suspend`, {
          headers: asAdmin,
          body: { reason: 'Left the team' },
        })
      ).status,
    ).toBe(200);
    expectProblem(await me(key), 401);
    await t.http.request('POST', `/api/v1/users/${owner.user.id}/unsuspend`, { headers: asAdmin });
    expect((await me(key)).status).toBe(200);

    await t.http.request('DELETE', `/api/v1/users/${owner.user.id}`, { headers: asAdmin });
    expectProblem(await me(key), 401);
    expect(await t.db.query('SELECT 1 FROM api_keys WHERE user_id = $1', [owner.user.id])).toEqual([]);
  });

  it('is revoked whenever the account is secured: a password change, signing out everywhere, an admin sign-out (I14)', async () => {
    const admin = await aSignedInAdmin(t);
    const { user, tokens } = await aSignedInUser(t.api);
    const asUser = { authorization: `Bearer ${tokens.accessToken}` };
    const secure = [
      () =>
        t.http.request('POST', '/api/v1/auth/change-password', {
          headers: asUser,
          body: { currentPassword: user.password, newPassword: 'another passphrase 77' },
        }),
      async () => {
        const fresh = await login(t.api, user.email, 'another passphrase 77');
        return t.http.request('POST', '/api/v1/auth/logout-all', {
          headers: { authorization: `Bearer ${fresh.accessToken}` },
        });
      },
      () =>
        t.http.request('DELETE', `/api/v1/users/${user.id}/sessions`, {
          headers: { authorization: `Bearer ${admin.tokens.accessToken}` },
        }),
    ];
    let session = tokens;
    for (const [n, step] of secure.entries()) {
      if (n === 2) session = await login(t.api, user.email, 'another passphrase 77');
      const { id, key } = await aKey(t.api, n === 0 ? tokens : session, { scopes: ['users:read'] });
      expect((await me(key)).status).toBe(200);
      expect((await step()).status).toBe(204);
      expectProblem(await me(key), 401);
      expect(await t.db.query('SELECT 1 FROM api_keys WHERE id = $1', [id])).toEqual([]);
    }
  });

  it('stops working when it expires', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const { id, key } = await aKey(t.api, tokens, { scopes: ['users:read'] });
    expect((await me(key)).status).toBe(200);
    await t.db.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
    expectProblem(await me(key), 401);
  });

  it("lets admins list and revoke a user's keys, as their owner sees them; others get 403, an unknown user 404", async () => {
    const admin = await aSignedInAdmin(t);
    const { user, tokens } = await aSignedInUser(t.api);
    const { id, key } = await aKey(t.api, tokens, { scopes: ['users:read'] });
    const asAdmin = { authorization: `Bearer ${admin.tokens.accessToken}` };
    const listed = await t.http.get(`/api/v1/users/${user.id}/api-keys`, { headers: asAdmin });
    expect(listed.body.items.map((k: { id: string }) => k.id)).toEqual([id]);
    expect(listed.text).not.toContain(key);
    const asUser = { authorization: `Bearer ${tokens.accessToken}` };
    expectProblem(await t.http.get(`/api/v1/users/${user.id}/api-keys`, { headers: asUser }), 403);
    expectProblem(
      await t.http.get(`/api/v1/users/${crypto.randomUUID()}/api-keys`, { headers: asAdmin }),
      404,
    );
    // A key of another user than the path names is not found.
    expectProblem(
      await t.http.request('DELETE', `/api/v1/users/${admin.user.id}/api-keys/${id}`, { headers: asAdmin }),
      404,
    );
    const revoked = await t.http.request('DELETE', `/api/v1/users/${user.id}/api-keys/${id}`, {
      headers: asAdmin,
    });
    expect(revoked.status).toBe(204);
    expectProblem(await me(key), 401);
    const [event] = await t.db.query(
      "SELECT actor_user_id, details FROM audit_events WHERE type = 'api-key.revoked' AND subject_user_id = $1",
      [user.id],
    );
    expect(event).toEqual({
      actor_user_id: admin.user.id,
      details: { apiKeyId: id, apiKeyPrefix: key.slice(0, 8) },
    });
  });

  it("keeps another account's keys out of reach: 404 on rename and revoke", async () => {
    const a = await aSignedInUser(t.api);
    const b = await aSignedInUser(t.api);
    const { id } = await aKey(t.api, a.tokens, { scopes: ['users:read'] });
    const asB = { authorization: `Bearer ${b.tokens.accessToken}` };
    expectProblem(
      await t.http.request('PATCH', `/api/v1/auth/api-keys/${id}`, { headers: asB, body: { name: 'mine' } }),
      404,
    );
    expectProblem(await t.http.request('DELETE', `/api/v1/auth/api-keys/${id}`, { headers: asB }), 404);
    const renamed = await t.http.request('PATCH', `/api/v1/auth/api-keys/${id}`, {
      headers: { authorization: `Bearer ${a.tokens.accessToken}` },
      body: { name: 'Deploys' },
    });
    expect(renamed.body).toMatchObject({ id, name: 'Deploys' });
  });

  it('audits its creation, its first use from each address and what is done with it, and mails the owner', async () => {
    const admin = await aSignedInAdmin(t);
    const { user } = await aSignedInUser(t.api);
    const { id, key, prefix } = await aKey(t.api, admin.tokens, { scopes: ['users:write'] });
    const suspended = await t.http.request('POST', `/api/v1/users/${user.id}/suspend`, {
      headers: { authorization: `Bearer ${key}` },
      body: { reason: 'Left the team' },
    });
    expect(suspended.status).toBe(200);
    await t.http.request('POST', `/api/v1/users/${user.id}/unsuspend`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const events = await t.db.query(
      `SELECT type, details FROM audit_events
        WHERE subject_user_id IN ($1, $2) AND type IN ('api-key.created', 'api-key.used-from-new-address', 'account.suspended')
        ORDER BY id`,
      [admin.user.id, user.id],
    );
    expect(events).toEqual([
      { type: 'api-key.created', details: { apiKeyId: id, apiKeyPrefix: prefix, scopes: 'users:write' } },
      { type: 'api-key.used-from-new-address', details: { apiKeyId: id, apiKeyPrefix: prefix } },
      { type: 'account.suspended', details: expect.objectContaining({ apiKeyId: id }) },
    ]);
    const notices = await t.db.query(
      "SELECT data FROM pgboss.job WHERE name = 'security-notice' AND data->>'userId' = $1 AND data->>'notice' = 'api-key-created'",
      [admin.user.id],
    );
    expect(notices).toEqual([
      { data: expect.objectContaining({ apiKey: { name: 'Nightly export', prefix } }) },
    ]);
  });
});

describe('API keys: the rate limit per key (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_API_KEY_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 with Retry-After past RATE_LIMIT_API_KEY_PER_MINUTE, while the owner’s session still works', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const { key } = await aKey(t.api, tokens, { scopes: ['users:read'] });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await t.http.get('/api/v1/users/me', { headers: { authorization: `Bearer ${key}` } })).status,
      );
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await t.http.get('/api/v1/users/me', { headers: { authorization: `Bearer ${key}` } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await t.http.get('/api/v1/users/me', { headers: { authorization: `Bearer ${tokens.accessToken}` } }))
        .status,
    ).toBe(200);
  });
});
