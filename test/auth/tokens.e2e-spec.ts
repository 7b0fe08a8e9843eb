import { jest } from '@jest/globals';
import { hash } from '@node-rs/argon2';
import { SignJWT } from 'jose';
import { createSecretKey } from 'node:crypto';
import { Clock } from '../../src/common/clock.js';
import { aSignedInUser, expectProblem, login, PASSWORD, signUp, type Tokens } from '../support/factories.js';
import { bearer, send } from '../support/api-client.js';
import { currentSigningKey } from '../support/signing-keys.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('tokens and sessions (e2e)', () => {
  let t: TestApp;
  let clock: Clock;
  beforeAll(async () => {
    t = await startTestApp({
      AUTH_ACCESS_TOKEN_TTL: '15m',
      AUTH_REFRESH_TOKEN_TTL: '30d',
      AUTH_SESSION_IDLE_TTL: '7d',
    });
    clock = t.app.get(Clock);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
  });

  const me = (tokens: Pick<Tokens, 'accessToken'>) =>
    send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)));
  const refresh = (refreshToken: string) =>
    send(t.api.POST('/api/v1/auth/refresh', { body: { refreshToken } }));
  const later = (seconds: number) => {
    const at = new Date(Date.now() + seconds * 1000);
    jest.spyOn(clock, 'now').mockReturnValue(at);
  };
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

  it('logs in with a token pair whose access token is a short-lived EdDSA JWT in RFC 9068 form, named by its key', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    expect(tokens).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    const header = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0], 'base64url').toString());
    const { kid } = await currentSigningKey(t);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid });
    const claims = claimsOf(tokens.accessToken);
    expect(claims).toEqual({
      sub: user.id,
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iss: 'gatehouse',
      aud: 'gatehouse-api',
      client_id: 'gatehouse',
      roles: ['user'],
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(claims.exp - claims.iat).toBe(900);
    expect(Buffer.from(tokens.refreshToken, 'base64url')).toHaveLength(32);
    expect((await me(tokens)).body).toMatchObject({ id: user.id });
  });

  it('stores only the SHA-256 of refresh tokens', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const stored = await t.db.query('SELECT token_hash FROM refresh_tokens');
    const asText = JSON.stringify(stored);
    expect(asText).not.toContain(tokens.refreshToken);
    const rows = await t.db.query(
      `SELECT 1 FROM refresh_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
      [tokens.refreshToken],
    );
    expect(rows).toHaveLength(1);
  });

  it('answers an unknown email and a wrong password with the same 401', async () => {
    const user = await signUp(t.api);
    const wrong = await t.http.post('/auth/login', {
      body: { email: user.email, password: 'wrong password 123' },
    });
    const unknown = await t.http.post('/auth/login', {
      body: { email: 'nobody-here@example.com', password: 'wrong password 123' },
    });
    const fixed = (b: any) => ({ type: b.type, title: b.title, status: b.status, detail: b.detail });
    expect(fixed(expectProblem(wrong, 401))).toEqual(fixed(expectProblem(unknown, 401)));
  });

  it('logs in with the email in any case and with surrounding spaces', async () => {
    const user = await signUp(t.api);
    await expect(login(t.api, `  ${user.email.toUpperCase()} `)).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
  });

  it('rotates refresh tokens: each one works once and gives a new pair', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const first = await refresh(tokens.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(tokens.refreshToken);
    expect((await me(first.body)).status).toBe(200);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
  });

  it('ends the whole session when a spent refresh token comes back after its successor was used', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const rotated = (await refresh(tokens.refreshToken)).body as Tokens;
    const newest = (await refresh(rotated.refreshToken)).body as Tokens;
    expectProblem(await refresh(tokens.refreshToken), 401);
    expectProblem(await refresh(newest.refreshToken), 401);
    expectProblem(await me(newest), 401);
    expectProblem(await me(tokens), 401);
  });

  it('answers a repeat within AUTH_REFRESH_REUSE_INTERVAL (10 s) with the same successor, and ends the session past it', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const first = (await refresh(tokens.refreshToken)).body as Tokens;
    later(9);
    const again = await refresh(tokens.refreshToken);
    expect(again.status).toBe(200);
    expect(again.body.refreshToken).toBe(first.refreshToken);
    expect((await me(again.body)).status).toBe(200);

    later(11);
    expectProblem(await refresh(tokens.refreshToken), 401);
    expectProblem(await refresh(first.refreshToken), 401);
    expectProblem(await me(first), 401);
  });

  // docs/security-model.md, I8: a copy of a refresh token is worth nothing to another client.
  it('treats a repeat from another client (another User-Agent) as reuse: the session ends, and the event names both clients', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const asOwner = { 'user-agent': 'the owner browser' };
    const spent = await t.http.post('/auth/refresh', {
      body: { refreshToken: tokens.refreshToken },
      headers: asOwner,
    });
    expect(spent.status).toBe(200);
    later(2);
    const stolen = await t.http.post('/auth/refresh', {
      body: { refreshToken: tokens.refreshToken },
      headers: { 'user-agent': 'curl/8.0' },
    });
    expectProblem(stolen, 401);
    expectProblem(await me(spent.body), 401);
    expectProblem(await refresh(spent.body.refreshToken), 401);
    const [event] = await t.db.query(
      `SELECT actor_user_id, user_agent, details FROM audit_events
        WHERE subject_user_id = $1 AND type = 'session.refresh-token-reused'`,
      [user.id],
    );
    expect(event).toEqual({
      actor_user_id: null,
      user_agent: 'curl/8.0',
      details: { spentByIpAddress: '127.0.0.1', spentByUserAgent: 'the owner browser' },
    });
  });

  it('records every repeat it serves to the same client as session.refresh-token-repeated', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const first = (await refresh(tokens.refreshToken)).body as Tokens;
    later(3);
    expect((await refresh(tokens.refreshToken)).body.refreshToken).toBe(first.refreshToken);
    const events = await t.db.query(
      `SELECT type, actor_user_id FROM audit_events WHERE subject_user_id = $1 AND type LIKE 'session.refresh%'`,
      [user.id],
    );
    expect(events).toEqual([{ type: 'session.refresh-token-repeated', actor_user_id: user.id }]);
  });

  it('gives 50 parallel refreshes of one token the same successor, one live token, and no 5xx', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const responses = await Promise.all(Array.from({ length: 50 }, () => refresh(tokens.refreshToken)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const successors = new Set(responses.map((r) => r.body.refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    const live = await t.db.query(
      `SELECT count(*)::int AS n FROM refresh_tokens WHERE spent_at IS NULL
          AND session_id = (SELECT session_id FROM refresh_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8')))`,
      [successor],
    );
    expect(live).toEqual([{ n: 1 }]);
    expect((await refresh(successor)).status).toBe(200);
  });

  it('turns the repeat off with AUTH_REFRESH_REUSE_INTERVAL=0: one of 20 parallel refreshes wins and the session ends', async () => {
    const strict = await startTestApp({ AUTH_REFRESH_REUSE_INTERVAL: '0' });
    try {
      const { tokens } = await aSignedInUser(strict.api);
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          send(strict.api.POST('/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 401)).toHaveLength(19);
      const winner = responses.find((r) => r.status === 200)!.body as Tokens;
      expectProblem(await send(strict.api.GET('/api/v1/users/me', bearer(winner.accessToken))), 401);
    } finally {
      await strict.close();
    }
  });

  it('refuses an unknown or malformed refresh token', async () => {
    expectProblem(await refresh('x'.repeat(43)), 401);
    expectProblem(await t.http.post('/auth/refresh', { body: {} }), 400);
    expectProblem(await t.http.post('/auth/refresh', { body: { refreshToken: 42 } }), 400);
  });

  it('refuses an access token after it expires', async () => {
    const { tokens } = await aSignedInUser(t.api);
    later(14 * 60);
    expect((await me(tokens)).status).toBe(200);
    later(15 * 60 + 1);
    const response = expectProblem(await me(tokens), 401);
    expect(response.type).toBe('/problems/unauthenticated');
  });

  it('ends a session idle for longer than AUTH_SESSION_IDLE_TTL, and any session after AUTH_REFRESH_TOKEN_TTL', async () => {
    const idle = await aSignedInUser(t.api);
    later(8 * 86400);
    expectProblem(await refresh(idle.tokens.refreshToken), 401);

    jest.restoreAllMocks();
    const busy = await aSignedInUser(t.api);
    let refreshToken = busy.tokens.refreshToken;
    for (const day of [6, 12, 18, 24, 29]) {
      later(day * 86400);
      const response = await refresh(refreshToken);
      expect(response.status).toBe(200);
      refreshToken = response.body.refreshToken;
    }
    later(30 * 86400 + 60);
    expectProblem(await refresh(refreshToken), 401);
  });

  it('refuses unsigned, tampered, foreign and misplaced tokens with 401 and WWW-Authenticate', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const [header, payload, signature] = tokens.accessToken.split('.');
    const claims = claimsOf(tokens.accessToken);
    const none = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${payload}.`;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${signature}`;
    const foreign = await new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setIssuer('gatehouse')
      .setAudience('gatehouse-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(createSecretKey(Buffer.from('another deployment secret of 32+ bytes!!')));
    for (const token of [none, tampered, foreign, 'garbage', `${tokens.accessToken}x`]) {
      const response = await t.http.get('/users/me', { token });
      expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    const inQuery = await t.http.get(`/users/me?access_token=${tokens.accessToken}`);
    expect(inQuery.status).toBe(401);
    const basic = await t.http.get('/users/me', {
      headers: { authorization: `Basic ${tokens.accessToken}` },
    });
    expect(basic.status).toBe(401);
  });

  it('refuses tokens signed with the real key that lack a required claim or lie about their times', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const { sub, sid } = claimsOf(tokens.accessToken);
    const { kid, alg, key } = await currentSigningKey(t);
    const now = Math.floor(Date.now() / 1000);
    const forge = (claims: Record<string, unknown>) =>
      new SignJWT({ sid, ...claims }).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(key);
    const honest = { sub, iss: 'gatehouse', aud: 'gatehouse-api', iat: now, exp: now + 900 };
    // The forger's honest token passes: what fails below fails for the claim it changes.
    expect((await t.http.get('/users/me', { token: await forge(honest) })).status).toBe(200);
    const { iss: _iss, ...withoutIss } = honest;
    const { aud: _aud, ...withoutAud } = honest;
    const { iat: _iat, ...withoutIat } = honest;
    for (const claims of [
      withoutIss,
      withoutAud,
      withoutIat,
      { ...honest, nbf: now + 86_400 },
      { ...honest, iat: now + 365 * 86_400, exp: now + 365 * 86_400 + 900 },
      { ...honest, exp: 253_402_300_800 },
    ]) {
      const response = await t.http.get('/users/me', { token: await forge(claims) });
      expectProblem(response, 401);
    }
  });

  it('re-hashes a password hashed with weaker parameters at the next login', async () => {
    const user = await signUp(t.api);
    const weak = await hash(PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await t.db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [weak, user.id]);
    await login(t.api, user.email);
    const [row] = await t.db.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await login(t.api, user.email);
  });

  it('never answers with a password hash or a token hash', async () => {
    const { tokens } = await aSignedInUser(t.api);
    for (const response of [await me(tokens), await refresh(tokens.refreshToken)]) {
      expect(response.text).not.toMatch(/hash|argon2|password/i);
    }
  });
});
