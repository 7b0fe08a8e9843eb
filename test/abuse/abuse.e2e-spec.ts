import { createSigner } from 'fast-jwt';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { bearer, send } from '../support/api-client.js';
import { aSignedInUser, aUser, expectProblem, login, signUp } from '../support/factories.js';
import { SmtpSink, tokenIn } from '../support/smtp-sink.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

/** What a hostile or careless client sends, one case at a time (issue 9). */
describe('abuse cases (e2e)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({ SMTP_URL: sink.url, REQUEST_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  /** Raw bytes on a socket: what fetch refuses to send. Resolves with what came back, once closed. */
  function raw(chunks: string[], gapMs = 0): Promise<{ text: string; ms: number }> {
    const { port } = new URL(t.http.baseUrl);
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let text = '';
      const socket = net.connect(Number(port), '127.0.0.1', async () => {
        for (const chunk of chunks) {
          if (socket.destroyed) break;
          socket.write(chunk);
          if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        }
      });
      socket.on('data', (data) => (text += data.toString()));
      socket.on('close', () => resolve({ text, ms: Date.now() - started }));
      socket.on('error', reject);
      socket.setTimeout(20_000, () => socket.destroy());
    });
  }

  it('stores SQL and JSON injection strings verbatim and matches them literally', async () => {
    const names = ["Robert'); DROP TABLE users;--", '{"$gt": ""}', "' OR '1'='1", '%_\\*'];
    const admin = await aSignedInAdmin(t);
    for (const name of names) {
      const user = await signUp(t.api, { name });
      expect(user.name).toBe(name);
      const { data } = await t.api.GET('/api/v1/users/{id}', {
        params: { path: { id: user.id } },
        ...bearer(admin.tokens.accessToken),
      });
      expect(data?.name).toBe(name);
      const found = await t.api.GET('/api/v1/users', {
        params: { query: { search: name } },
        ...bearer(admin.tokens.accessToken),
      });
      expect(found.data?.items.map((u) => u.name)).toEqual([name]);
    }
    const [{ count }] = await t.db.query('SELECT count(*)::int AS count FROM users');
    expect(count).toBeGreaterThan(names.length);
  });

  it('normalises an email the same way at sign-up, login and reset (trim, case, NFC)', async () => {
    const decomposed = `  Jose\u0301-${randomBytes(3).toString('hex')}@Example.COM  `;
    const composed = decomposed.trim().normalize('NFC').toLowerCase();
    const user = await signUp(t.api, { email: decomposed });
    expect(user.email).toBe(decomposed.trim().normalize('NFC'));
    expectProblem(
      await send(t.api.POST('/api/v1/users', { body: aUser({ email: composed.toUpperCase() }) })),
      409,
    );
    await login(t.api, composed, user.password);

    expect(
      (await send(t.api.POST('/api/v1/auth/forgot-password', { body: { email: ` ${composed} ` } }))).status,
    ).toBe(202);
    const mail = await sink.waitForMail(user.email, (m) => m.subject === 'Reset your password');
    const token = tokenIn(mail, 'reset-password', 'http://localhost:3000');
    const next = 'normalised and reset 11';
    expect(
      (await send(t.api.POST('/api/v1/auth/reset-password', { body: { token, newPassword: next } }))).status,
    ).toBe(204);
    await login(t.api, decomposed.toUpperCase(), next);
  });

  it('never echoes a request id that could inject a header or a log line', async () => {
    for (const id of ['a b', 'x'.repeat(129), 'tab\there', '<script>', 'a%0d%0aSet-Cookie:x=1']) {
      const response = await t.http.get('/health/live', { headers: { 'x-request-id': id } });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const crlf = await raw([
      'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\r\nSet-Cookie: injected=1\r\nConnection: close\r\n\r\n',
    ]);
    expect(crlf.text).toMatch(/^HTTP\/1\.1 200/);
    expect(crlf.text).not.toMatch(/\r\nset-cookie: injected/i);
    const bare = await raw([
      'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rSet-Cookie: x=1\r\n\r\n',
    ]);
    expect(bare.text).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers what Node’s parser refuses as problem details, with the security headers and a request id', async () => {
    const duplicateLength =
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}';
    const hugeHeaders = `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17_000)}\r\n\r\n`;
    for (const [request, status] of [
      [duplicateLength, 400],
      [hugeHeaders, 431],
    ] as const) {
      const { text } = await raw([request]);
      const [head, body] = text.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(head).toMatch(/\r\ncontent-type: application\/problem\+json/i);
      expect(head).toMatch(/\r\nx-content-type-options: nosniff/i);
      expect(head).toMatch(/\r\ncontent-security-policy: /i);
      const problem = JSON.parse(body);
      expect(problem).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
      expect(head).toContain(`x-request-id: ${problem.requestId}`);
    }
  });

  it('refuses a 10 MB body at once, without reading it', async () => {
    // Only the headers and the first 64 KB are ever sent: an answer means the server did not wait
    // for the other 9.9 MB (it would wait REQUEST_TIMEOUT_MS and answer 408 if it did).
    const head =
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n';
    const answer = await raw([head, `{"name": "${'n'.repeat(65_536)}`]);
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.text).toMatch(/content-type: application\/problem\+json/i);
    expect(answer.ms).toBeLessThan(5_000);
  });

  it('cuts off a body that trickles in, with a 408, after REQUEST_TIMEOUT_MS', async () => {
    const head =
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n';
    const slow = await raw([head, ...'{"email": "slow@example.com", "password": "'.split('')], 400);
    expect(slow.text).toMatch(/^HTTP\/1\.1 408/);
    expect(slow.text).toMatch(/content-type: application\/problem\+json/i);
    expect(slow.ms).toBeLessThan(5_000);
    // Everyone else is still served.
    expect((await t.http.get('/health/live')).status).toBe(200);
  }, 30_000);

  // Within Node's 16 KB limit on the request line and headers (beyond it, Node itself answers 431).
  it('answers thousands of query parameters with a 400, not a 500 or a hang', async () => {
    const admin = await aSignedInAdmin(t);
    const many = Array.from({ length: 1_500 }, (_, i) => `p${i}=1`).join('&');
    expectProblem(await t.http.get(`/users?${many}`, { token: admin.tokens.accessToken }), 400);
    const repeated = Array.from({ length: 1_500 }, () => 'limit=5').join('&');
    expectProblem(await t.http.get(`/users?${repeated}`, { token: admin.tokens.accessToken }), 400);
  });

  it('answers an address with broken percent-encoding with a 400 problem', async () => {
    const { tokens } = await aSignedInUser(t.api);
    for (const path of ['/api/v1/users/%ED%A0%80', '/api/v1/users/%E0%A4%A', '/api/v1/users/%']) {
      const response = await fetch(`${t.http.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({
        status: 400,
        requestId: response.headers.get('x-request-id'),
      });
    }
  });

  it('refuses a token signed by another deployment, even with a real session id', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const [, payload] = tokens.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = createSigner({
      key: randomBytes(32).toString('base64url'),
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'at+jwt' },
    })({
      ...claims,
      sub: user.id,
    });
    expectProblem(await send(t.api.GET('/api/v1/users/me', bearer(forged))), 401);
    expect((await send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)))).status).toBe(200);
  });
});
