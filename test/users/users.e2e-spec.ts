import { jest } from '@jest/globals';
import { Clock } from '../../src/common/clock.js';
import { aSignedInUser, aUser, expectProblem, PASSWORD, signUp } from '../support/factories.js';
import { bearer, send } from '../support/api-client.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

describe('users (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = (await aSignedInAdmin(t)).tokens.accessToken;
  });
  afterAll(async () => {
    await t.close();
  });

  const countUsers = async () => Number((await t.db.query('SELECT count(*) AS n FROM users'))[0].n);

  describe('POST /users (sign-up)', () => {
    it('creates a user, answers 201 with Location and a UserResponse without secrets', async () => {
      const body = aUser({ name: 'Grace Hopper' });
      const response = await t.http.post('/users', { body });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: body.email,
        name: 'Grace Hopper',
        role: 'user',
        emailVerified: false,
        status: 'active',
        suspendedAt: null,
        suspensionReason: null,
        mfa: { totp: false, passkeys: 0 },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(response.headers.get('location')).toBe(`/api/v1/users/${response.body.id}`);
      const [row] = await t.db.query('SELECT password_hash FROM users WHERE id = $1', [response.body.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it('refuses an email that differs only in case with a 409', async () => {
      const user = await signUp(t.api, { email: `Case-${Date.now()}@Example.com` });
      const response = await t.http.post('/users', { body: aUser({ email: user.email.toUpperCase() }) });
      expectProblem(response, 409);
      expect(response.body.type).toBe('/problems/email-taken');
    });

    it('normalises the email (spaces, Unicode NFC) so that the same address cannot sign up twice', async () => {
      const composed = `\u00e9lodie-${Date.now()}@example.com`;
      const first = await t.http.post('/users', { body: aUser({ email: `  ${composed}  ` }) });
      expect(first.status).toBe(201);
      expect(first.body.email).toBe(composed);
      const decomposed = composed.normalize('NFD');
      expect(decomposed).not.toBe(composed);
      expectProblem(await t.http.post('/users', { body: aUser({ email: decomposed }) }), 409);
    });

    it.each([
      ['a missing password', { password: undefined }, '#/password'],
      ['an invalid email', { email: 'not-an-email' }, '#/email'],
      ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.com` }, '#/email'],
      ['an empty name', { name: '' }, '#/name'],
      ['a name of spaces only', { name: '   ' }, '#/name'],
      ['a name over 100 characters', { name: 'n'.repeat(101) }, '#/name'],
      ['a password of 11 characters', { password: 'eleven-char' }, '#/password'],
      ['a password over 128 characters', { password: 'y'.repeat(129) }, '#/password'],
      ['a common password', { password: 'password1234' }, '#/password'],
      [
        'a password that is the email',
        { email: 'same-as-password@example.com', password: 'same-as-password@example.com' },
        '#/password',
      ],
      ['a number for the name', { name: 42 }, '#/name'],
      ['a zero-width space in the email', { email: `rt-alice\u200b-${Date.now()}@example.com` }, '#/email'],
      [
        'a Cyrillic "а" among the Latin letters of the email',
        { email: `rt-\u0430lice-${Date.now()}@example.com` },
        '#/email',
      ],
      ['a right-to-left override in the name', { name: 'Ada \u202eecalevol' }, '#/name'],
      ['a line break in the name', { name: 'Ada\nAdmin' }, '#/name'],
      ['a password of twelve spaces', { password: ' '.repeat(12) }, '#/password'],
      ['an unknown field', { role: 'admin' }, '#/role'],
      ['an id', { id: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e' }, '#/id'],
    ])('refuses %s with a 400 naming the field, storing nothing', async (_, overrides, pointer) => {
      const before = await countUsers();
      const response = await t.http.post('/users', { body: { ...aUser(), ...overrides } });
      const problem = expectProblem(response, 400);
      expect(problem.errors).toEqual(expect.arrayContaining([{ pointer, detail: expect.any(String) }]));
      expect(await countUsers()).toBe(before);
    });

    it('says why a password is too weak in the problem’s errors', async () => {
      const problem = expectProblem(
        await t.http.post('/users', { body: aUser({ password: 'abcdefghijkl' }) }),
        400,
      );
      expect(problem.errors).toEqual([
        { pointer: '#/password', detail: expect.stringMatching(/too easy to guess \(a sequence such as/) },
      ]);
    });

    it('accepts the joiners that Persian and emoji sequences need inside a word, and scripts that go together', async () => {
      for (const body of [
        aUser({ name: 'می\u200cخواهم' }),
        aUser({ name: 'Family 👨\u200d👩\u200d👧' }),
        aUser({ email: `tanaka田中-${Date.now()}@example.jp` }),
      ]) {
        expect((await t.http.post('/users', { body })).status).toBe(201);
      }
    });

    it('keeps a password exactly as sent, spaces included', async () => {
      const body = aUser({ password: `  ${PASSWORD}  ` });
      expect((await t.http.post('/users', { body })).status).toBe(201);
      const login = (password: string) =>
        t.http.post('/auth/login', { body: { email: body.email, password } });
      expect((await login(`  ${PASSWORD}  `)).status).toBe(200);
      expectProblem(await login(PASSWORD), 401);
      expectProblem(await login(`  ${PASSWORD}`), 401);
    });

    it.each([
      ['a JSON array', '[]'],
      ['a JSON string', '"hello"'],
      ['null', 'null'],
    ])('answers %s as the body with a 400', async (_, raw) => {
      expectProblem(
        await t.http.post('/users', { raw, headers: { 'content-type': 'application/json' } }),
        400,
      );
    });

    it('gives exactly one 201 and only 409s for 50 concurrent sign-ups with one email in mixed case', async () => {
      const email = `race-${Date.now()}@example.com`;
      const variants = Array.from({ length: 50 }, (_, i) => (i % 2 ? email.toUpperCase() : email));
      const responses = await Promise.all(
        variants.map((e) => t.http.post('/users', { body: aUser({ email: e }) })),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(49);
      const [{ n }] = await t.db.query('SELECT count(*) AS n FROM users WHERE lower(email) = lower($1)', [
        email,
      ]);
      expect(Number(n)).toBe(1);
    });
  });

  describe('GET /users/:id', () => {
    it('returns the user', async () => {
      const user = await signUp(t.api);
      const response = await send(
        t.api.GET('/api/v1/users/{id}', { ...bearer(admin), params: { path: { id: user.id } } }),
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...user, password: undefined });
    });

    it('reads an id in any case as the same id (RFC 9562): your own id in capitals is you', async () => {
      const { user, tokens } = await aSignedInUser(t.api);
      const response = await t.http.get(`/users/${user.id.toUpperCase()}`, { token: tokens.accessToken });
      expect(response.status).toBe(200);
      expect(response.body.id).toBe(user.id);
    });

    it('answers an unknown id with a 404 and a malformed one with a 400', async () => {
      expectProblem(await t.http.get('/users/0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', { token: admin }), 404);
      const problem = expectProblem(await t.http.get('/users/not-a-uuid', { token: admin }), 400);
      expect(problem.errors).toEqual([{ parameter: 'id', detail: expect.any(String) }]);
    });
  });

  describe('PATCH /users/me', () => {
    afterEach(() => jest.restoreAllMocks());

    it("changes your name, trimmed, at the clock's time, and nothing else", async () => {
      const { user, tokens } = await aSignedInUser(t.api);
      const { password: _password, ...before } = user;
      const later = new Date(Date.parse(user.updatedAt) + 60_000);
      jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(later);
      const response = await t.http.patch('/users/me', {
        token: tokens.accessToken,
        body: { name: '  Ada King ' },
      });
      expect(response.status).toBe(200);
      const after = { ...before, name: 'Ada King', updatedAt: later.toISOString() };
      expect(response.body).toEqual(after);
      expect((await t.http.get('/users/me', { token: tokens.accessToken })).body).toEqual(after);
    });
  });

  describe('PATCH /users/:id', () => {
    it('changes the name and the role', async () => {
      const user = await signUp(t.api);
      const response = await t.http.patch(`/users/${user.id}`, {
        token: admin,
        body: { name: 'Renamed', role: 'admin' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: user.id, name: 'Renamed', role: 'admin' });
      expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(user.updatedAt));
    });

    it('refuses an unknown role, an unknown field, a password and nulls, changing nothing', async () => {
      const user = await signUp(t.api);
      for (const [body, pointer] of [
        [{ role: 'root' }, '#/role'],
        [{ email: 'x@example.com' }, '#/email'],
        [{ name: 'ok', passwordHash: 'x' }, '#/passwordHash'],
        [{ name: null }, '#/name'],
        [{ role: null }, '#/role'],
      ] as const) {
        const problem = expectProblem(await t.http.patch(`/users/${user.id}`, { token: admin, body }), 400);
        expect(problem.errors).toEqual(expect.arrayContaining([{ pointer, detail: expect.any(String) }]));
      }
      expect(
        (await send(t.api.GET('/api/v1/users/{id}', { ...bearer(admin), params: { path: { id: user.id } } })))
          .body,
      ).toMatchObject({
        name: user.name,
        role: 'user',
        email: user.email,
      });
    });

    it('changes nothing, updatedAt included, for an empty patch or one with the values the user has', async () => {
      const user = await signUp(t.api);
      for (const body of [{}, { name: user.name }, { name: user.name, role: 'user' }]) {
        const response = await t.http.patch(`/users/${user.id}`, { token: admin, body });
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ ...user, password: undefined });
      }
    });

    it('answers an unknown id with a 404', async () => {
      expectProblem(
        await t.http.patch('/users/0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', {
          token: admin,
          body: { name: 'x' },
        }),
        404,
      );
    });
  });

  describe('DELETE /users/:id', () => {
    it('deletes the user, then answers 404', async () => {
      const user = await signUp(t.api);
      const response = await send(
        t.api.DELETE('/api/v1/users/{id}', { ...bearer(admin), params: { path: { id: user.id } } }),
      );
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expectProblem(
        await send(t.api.GET('/api/v1/users/{id}', { ...bearer(admin), params: { path: { id: user.id } } })),
        404,
      );
      expectProblem(
        await send(
          t.api.DELETE('/api/v1/users/{id}', { ...bearer(admin), params: { path: { id: user.id } } }),
        ),
        404,
      );
    });
  });
});
