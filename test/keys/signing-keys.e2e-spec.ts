import { jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { createSecretKey } from 'node:crypto';
import { Clock } from '../../src/common/clock.js';
import { appConfig, type AppConfig } from '../../src/config/app.config.js';
import { Retention } from '../../src/jobs/retention.js';
import { KeyRing } from '../../src/keys/key-ring.js';
import { SigningKeys } from '../../src/keys/signing-keys.js';
import { aSignedInUser, login, signUp, type Tokens } from '../support/factories.js';
import { currentSigningKey } from '../support/signing-keys.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;

describe('signing keys: publication, rotation, retirement (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ AUTH_JWKS_MAX_AGE: '5m', AUTH_ACCESS_TOKEN_TTL: '15m' });
    // A second instance on the same database, as a deployment runs several.
    b = await startTestApp({ AUTH_JWKS_MAX_AGE: '5m', AUTH_ACCESS_TOKEN_TTL: '15m' }, a);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const published = async (t: TestApp) => {
    const response = await t.http.get('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    return { ...response, kids: (response.body.keys as { kid: string }[]).map((k) => k.kid) };
  };
  const states = async () =>
    Object.fromEntries(
      ((await a.db.query('SELECT kid, state FROM signing_keys')) as { kid: string; state: string }[]).map(
        ({ kid, state }) => [kid, state],
      ),
    );

  it('publishes the current and the next key, cacheable for AUTH_JWKS_MAX_AGE, with an ETag that answers 304', async () => {
    const { body, headers, kids } = await published(a);
    const current = await currentSigningKey(a);
    expect(kids).toHaveLength(2);
    expect(kids[0]).toBe(current.kid);
    expect(body.keys[0]).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid: current.kid,
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(headers.get('cache-control')).toBe('public, max-age=300');
    const etag = headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await a.http.get('/.well-known/jwks.json', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    // Every instance publishes the same set.
    expect((await published(b)).headers.get('etag')).toBe(etag);
  });

  it('publishes RFC 8414 metadata naming the issuer and the key set', async () => {
    const response = await a.http.get('/.well-known/oauth-authorization-server');
    expect(response.status).toBe(200);
    const { publicUrl } = a.app.get<AppConfig>(appConfig.KEY);
    expect(response.body).toEqual({ issuer: 'gatehouse', jwks_uri: `${publicUrl}/.well-known/jwks.json` });
  });

  it('rotates on two instances under load without one failed request', async () => {
    const [{ tokens: fromA }, { user }] = await Promise.all([aSignedInUser(a.api), aSignedInUser(b.api)]);
    const oldKid = kidOf(fromA.accessToken);
    const before = await states();
    const nextKid = Object.keys(before).find((kid) => before[kid] === 'next')!;
    // The next key was published longer ago than the lead (AUTH_JWKS_MAX_AGE + AUTH_ACCESS_TOKEN_TTL).
    await a.db.query(
      `UPDATE signing_keys SET created_at = created_at - interval '21 minutes' WHERE state = 'next'`,
    );
    // Each load runs until the rotation is over (so its last requests come after it) and makes at
    // least ten requests, whatever the machine's speed: a count, not a time window.
    const running = { stop: false };
    const statuses: number[] = [];
    const load = async (t: TestApp, tokens: Tokens) => {
      for (let sent = 0; !running.stop || sent < 10; sent += 1)
        statuses.push((await t.http.get('/users/me', { token: tokens.accessToken })).status);
    };
    const fromB = await login(b.api, user.email);
    const loads = [load(a, fromA), load(b, fromA), load(a, fromB), load(b, fromB)];
    const rotated = await a.app.get(SigningKeys).rotate();
    expect(rotated.kid).toBe(nextKid);
    // Tokens of the new key, from A, on both instances; B still signs with the old one, which A accepts.
    const newFromA = await login(a.api, user.email);
    const oldFromB = await login(b.api, user.email);
    expect(kidOf(newFromA.accessToken)).toBe(nextKid);
    expect(kidOf(oldFromB.accessToken)).toBe(oldKid);
    loads.push(load(a, newFromA), load(b, newFromA), load(a, oldFromB), load(b, oldFromB));
    // B reads the set (as its poll does every 30 s) and signs with the new key too.
    await b.app.get(KeyRing).refresh();
    expect(kidOf((await login(b.api, user.email)).accessToken)).toBe(nextKid);
    running.stop = true;
    await Promise.all(loads);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(await states()).toMatchObject({ [oldKid]: 'retired', [nextKid]: 'current' });
    const events = await a.db.query(
      `SELECT type, details FROM audit_events WHERE type LIKE 'signing-key.%' ORDER BY occurred_at, id`,
    );
    expect(events).toEqual(
      expect.arrayContaining([
        {
          type: 'signing-key.rotated',
          details: expect.objectContaining({ kid: nextKid, previousKid: oldKid }),
        },
        { type: 'signing-key.retired', details: expect.objectContaining({ kid: oldKid }) },
      ]),
    );
  });

  it('keeps a retired key published until its last token has expired, then the retention job removes it', async () => {
    const { tokens } = await aSignedInUser(a.api);
    const oldKid = kidOf(tokens.accessToken);
    await a.app.get(SigningKeys).rotate({ force: true });
    const [{ retired_at: retiredAt }] = await a.db.query(
      'SELECT retired_at FROM signing_keys WHERE kid = $1',
      [oldKid],
    );
    // One access-token lifetime, the 30 s poll and the 30 s skew.
    const lifetime = (15 * 60 + 60) * 1000;
    const at = (ms: number) =>
      jest.spyOn(a.app.get(Clock), 'now').mockReturnValue(new Date(retiredAt.getTime() + ms));
    at(lifetime - 1000);
    await a.app.get(Retention).run();
    expect((await published(a)).kids).toContain(oldKid);
    at(lifetime + 1000);
    await a.app.get(Retention).run();
    await a.app.get(KeyRing).refresh();
    expect((await published(a)).kids).not.toContain(oldKid);
    expect(await states()).not.toHaveProperty(oldKid);
  });

  it('keeps the private keys sealed: never in a response, an audit row, or the table in clear', async () => {
    const { kid, key } = await currentSigningKey(a);
    const pem = key.export({ format: 'pem', type: 'pkcs8' }).toString();
    const secret = key.export({ format: 'jwk' }).d!;
    const body = pem.split('\n').slice(1, -2).join('');
    const rows = JSON.stringify(await a.db.query('SELECT * FROM signing_keys'));
    const audit = JSON.stringify(await a.db.query('SELECT * FROM audit_events'));
    const documents = JSON.stringify([
      (await published(a)).body,
      (await a.http.get('/.well-known/oauth-authorization-server')).body,
    ]);
    for (const text of [rows, audit, documents]) {
      expect(text).not.toContain(body);
      expect(text).not.toContain(secret);
      expect(text).not.toContain('PRIVATE KEY');
    }
    expect(rows).toContain(kid);
  });

  it('after a switch from HS256, accepts the HS256 tokens issued before it until they expire, and no new ones', async () => {
    const hs256 = await startTestApp({ AUTH_SIGNING_ALGORITHM: 'HS256' });
    try {
      const user = await signUp(hs256.api);
      const before = await login(hs256.api, user.email);
      expect(JSON.parse(Buffer.from(before.accessToken.split('.')[0], 'base64url').toString())).toEqual({
        alg: 'HS256',
        typ: 'at+jwt',
      });
      // An HS256 deployment publishes no key: there is none.
      expect((await published(hs256)).kids).toEqual([]);
      // The same database, redeployed with the default (EdDSA) and the same AUTH_JWT_SECRET.
      const switched = await startTestApp({ AUTH_SIGNING_ALGORITHM: 'EdDSA' }, hs256);
      try {
        expect((await switched.http.get('/users/me', { token: before.accessToken })).status).toBe(200);
        const claims = JSON.parse(Buffer.from(before.accessToken.split('.')[1], 'base64url').toString());
        const now = Math.floor(Date.now() / 1000) + 5;
        const minted = await new SignJWT({ ...claims, iat: now, exp: now + 600 })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
          .sign(createSecretKey(Buffer.from(process.env.AUTH_JWT_SECRET!)));
        expect((await switched.http.get('/users/me', { token: minted })).status).toBe(401);
        const after = await login(switched.api, user.email);
        expect(kidOf(after.accessToken)).toEqual(expect.any(String));
        expect((await switched.http.get('/users/me', { token: after.accessToken })).status).toBe(200);
      } finally {
        await switched.close();
      }
    } finally {
      await hs256.close();
    }
  });
});
