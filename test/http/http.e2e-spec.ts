import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app.module.js';
import { setApiPrefix } from '../../src/common/http/http-conventions.js';
import { Configuration } from '../../src/config/configuration.js';
import { buildOpenApiDocument } from '../../src/common/swagger/openapi.js';
import { aSignedInUser, aUser, expectProblem, login, PASSWORD, signUp } from '../support/factories.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

describe('HTTP conventions (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = (await aSignedInAdmin(t)).tokens.accessToken;
  });
  const aSignedInUserWithName = (app: TestApp, name: string) => aSignedInUser(app.api, { name });
  afterAll(async () => {
    await t.close();
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await t.http.post('/users', {
      raw: '{"email": "a@b.c", ',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(response, 400);
  });

  it.each(['null', '[]', '"text"', '42'])(
    'answers a body of %j where an object is expected with a 400 at #, changing nothing',
    async (raw) => {
      const { user, tokens } = await aSignedInUserWithName(t, 'Unchanged');
      const headers = { 'content-type': 'application/json' };
      for (const [path, token] of [
        [`/users/${user.id}`, admin],
        ['/users/me', tokens.accessToken],
        ['/users/0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', admin],
      ] as const) {
        const response = await t.http.patch(path, { token, raw, headers });
        expectProblem(response, 400);
        expect(response.body.errors).toEqual([{ pointer: '#', detail: 'the body must be a JSON object' }]);
      }
      const [row] = await t.db.query('SELECT name, updated_at FROM users WHERE id = $1', [user.id]);
      expect(row.name).toBe('Unchanged');
    },
  );

  it('refuses a __proto__ key instead of silently dropping it', async () => {
    const raw = `{"email":"p@example.com","password":"${PASSWORD}","name":"P","__proto__":{"role":"admin"}}`;
    expectProblem(await t.http.post('/users', { raw, headers: { 'content-type': 'application/json' } }), 400);
  });

  it.each([
    ['text/plain', JSON.stringify(aUser())],
    ['application/x-www-form-urlencoded', 'email=f%40example.com&password=x&name=F'],
    ['application/xml', '<user/>'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('answers a %s body with a 415 problem', async (type, raw) => {
    expectProblem(await t.http.post('/users', { raw, headers: { 'content-type': type } }), 415);
  });

  it('accepts JSON with a charset parameter', async () => {
    const response = await t.http.post('/users', {
      raw: JSON.stringify(aUser()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(response.status).toBe(201);
  });

  describe('headers, as RFC 9110 reads them', () => {
    it.each(['Application/JSON', 'APPLICATION/JSON;CHARSET=UTF-8', 'application/json ; charset="utf-8"'])(
      'reads a %s body: media types and their parameters are case-insensitive (§8.3.1)',
      async (type) => {
        const response = await t.http.post('/users', {
          raw: JSON.stringify(aUser()),
          headers: { 'content-type': type },
        });
        expect(response.status).toBe(201);
      },
    );

    it('takes the Bearer scheme in any case, after one or more spaces (§11.1, RFC 6750 §2.1)', async () => {
      const user = await signUp(t.api);
      const { accessToken } = await login(t.api, user.email);
      for (const authorization of [
        `bearer ${accessToken}`,
        `BEARER ${accessToken}`,
        `Bearer   ${accessToken}`,
      ]) {
        const response = await t.http.get('/users/me', { headers: { authorization } });
        expect({ authorization, status: response.status }).toEqual({ authorization, status: 200 });
      }
      for (const authorization of [`Bearer${accessToken}`, `Basic ${accessToken}`, `Bearer ${accessToken} x`])
        expectProblem(await t.http.get('/users/me', { headers: { authorization } }), 401);
    });

    it('challenges every 401, and says invalid_token only when a token was sent (§15.5.2, RFC 6750 §3.1)', async () => {
      const none = await t.http.get('/users/me');
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const bad = await t.http.get('/users/me', { headers: { authorization: 'Bearer not.a.token' } });
      expect(bad.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      const wrongPassword = await t.http.post('/auth/login', {
        body: { email: 'nobody@example.com', password: 'a password that is wrong' },
      });
      expectProblem(wrongPassword, 401);
      expect(wrongPassword.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('answers HEAD on a GET resource like GET, without a body (§9.3.2)', async () => {
      const response = await fetch(`${t.http.baseUrl}/health/live`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.text()).toBe('');
    });
  });

  it('answers a body over 100,000 bytes with a 413 problem', async () => {
    const raw = JSON.stringify(aUser({ name: 'x'.repeat(100_001) }));
    expectProblem(await t.http.post('/users', { raw, headers: { 'content-type': 'application/json' } }), 413);
  });

  it('gives a POST without a body a 400 about the missing fields, not a 415', async () => {
    const problem = expectProblem(await t.http.post('/users'), 400);
    expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['#/email', '#/password', '#/name']),
    );
  });

  it('sends a request id on every response and in every problem', async () => {
    const ok = await t.http.get('/docs-json');
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const problem = expectProblem(await t.http.post('/users', { body: {} }), 400);
    expect(problem.instance).toBe('/api/v1/users');
  });

  // I11: an id a client chose is never taken as the server's (the audit log and the logs carry ours).
  it("answers with the server's own request id, whatever id the client sent", async () => {
    const sent = await t.http.get('/docs-json', { headers: { 'x-request-id': 'trace-42.abc' } });
    expect(sent.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const replaced = await t.http.get('/docs-json', { headers: { 'x-request-id': 'x'.repeat(129) } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with a 404 problem', async () => {
    expectProblem(await t.http.get('/api/v1/no-such-thing'), 404);
    expectProblem(await t.http.get('/nothing-here'), 404);
  });

  it('answers a method a path does not take with a 405 problem that says which it takes', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/api/v1/users/me', 'DELETE, GET, HEAD, PATCH'],
      ['PUT', `/api/v1/users/${randomUUID()}/`, 'DELETE, GET, HEAD, PATCH'],
      ['GET', '/api/v1/auth/login?x=1', 'POST'],
      ['POST', '/health/live', 'GET, HEAD'],
    ]) {
      const response = await t.http.request(method, path);
      expectProblem(response, 405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expectProblem(await t.http.request('PUT', '/api/v1/no-such-thing'), 404);
  });

  it('ignores a trailing slash', async () => {
    expect((await t.http.get('/api/v1/users/me/')).status).toBe(401);
    expect((await t.http.post('/api/v1/users/', { body: aUser() })).status).toBe(201);
  });

  it.each(['/users/me', '/docs'])(
    'sends the security headers on %s, with a CSP that lets Swagger UI work',
    async (path) => {
      const headers = (await t.http.get(path)).headers;
      expect(headers.get('content-security-policy')?.split(';').toSorted()).toEqual([
        "base-uri 'self'",
        "default-src 'self'",
        "font-src 'self' https: data:",
        "form-action 'self'",
        "frame-ancestors 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "script-src 'self'",
        "script-src-attr 'none'",
        "style-src 'self' 'unsafe-inline'",
      ]);
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.has('x-powered-by')).toBe(false);
    },
  );

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    const ui = await t.http.get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
    const doc = await t.http.get('/docs-json');
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/users', '/api/v1/users/{id}']),
    );
  });

  it('serves only the files Swagger UI loads from /docs/, and keeps no pasted token outside production', async () => {
    const page = (await t.http.get('/docs')).text;
    const loaded = [...page.matchAll(/(?:href|src)="\.\/(docs\/[^"]+)"/g)].map(([, path]) => `/${path}`);
    expect(loaded).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js']));
    for (const path of loaded)
      expect({ path, status: (await t.http.get(path)).status }).toEqual({ path, status: 200 });
    for (const file of ['package.json', 'swagger-ui-bundle.js.map', 'index.html', 'README.md'])
      expectProblem(await t.http.get(`/docs/${file}`), 404);
    // Development keeps a pasted token across reloads (persistAuthorization); production does not.
    expect((await t.http.get('/docs/swagger-ui-init.js')).text).toMatch(/"persistAuthorization":\s*true/);
  });

  it('marks every /api/v1 answer no-store, tokens and personal data included, and the rest not', async () => {
    const user = aUser();
    const created = await t.http.post('/users', { body: user });
    const tokens = await t.http.post('/auth/login', { body: { email: user.email, password: user.password } });
    const me = await t.http.get('/users/me', { token: tokens.body.accessToken });
    const problem = await t.http.get('/users/me');
    for (const response of [created, tokens, me, problem])
      expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await t.http.get('/docs-json')).headers.get('cache-control')).not.toBe('no-store');
  });

  it('serves the document `npm run openapi` writes (CI checks that openapi.json is that document)', async () => {
    const configuration = Configuration.load(AppModule.namespaces);
    const preview = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(configuration),
      new FastifyAdapter(),
      {
        preview: true,
        logger: false,
        abortOnError: false,
      },
    );
    setApiPrefix(preview);
    const written = JSON.parse(
      JSON.stringify(buildOpenApiDocument(preview, configuration, AppModule.openApiModels)),
    );
    await preview.close();
    expect((await t.http.get('/docs-json')).body).toEqual(written);
  });

  it('declares every tag an operation uses, so that Swagger UI describes each group', async () => {
    const doc = (await t.http.get('/docs-json')).body;
    const declared = doc.tags.map((tag: { name: string }) => tag.name);
    const used = Object.values<Record<string, any>>(doc.paths).flatMap((item) =>
      Object.values<any>(item).flatMap((operation) => operation.tags ?? []),
    );
    expect(declared).toEqual(expect.arrayContaining([...new Set(used)]));
  });

  it('documents every operation with an operationId, and every error as problem details', async () => {
    const doc = (await t.http.get('/docs-json')).body;
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        expect({ path, method, operationId: operation.operationId }).toEqual({
          path,
          method,
          operationId: expect.any(String),
        });
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          if (Number(status) >= 400)
            expect(Object.keys(response.content)).toEqual(['application/problem+json']);
        }
      }
    }
    const signUpBody = doc.components.schemas.CreateUserDto.properties;
    expect(signUpBody.email).toMatchObject({ format: 'idn-email', maxLength: 254 });
    expect(signUpBody.password).toMatchObject({ minLength: 12, maxLength: 128 });
    expect(signUpBody.name).toMatchObject({ minLength: 1, maxLength: 100 });
  });
});
