import { createHash } from 'node:crypto';
import { ServerKeys } from '../../src/common/server-keys.js';
import { bearer, send } from '../support/api-client.js';
import { enableTotp } from '../support/authenticator-app.js';
import { aUser } from '../support/factories.js';
import { aVerifiedUser, startTestApp, type TestApp } from '../support/test-app.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * docs/security-model.md, I4: what the database keeps of a low-entropy secret (a password inside a
 * request body, a recovery code) cannot be checked offline by whoever reads the tables alone.
 */
describe('secrets at rest (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('I4: an idempotent sign-up’s fingerprint is an HMAC under a server key, not a hash of the body and its password', async () => {
    const body = aUser();
    const created = await t.http.post('/users', { body, headers: { 'idempotency-key': 'sign-up-1' } });
    expect(created.status).toBe(201);
    const [row] = await t.db.query(`SELECT fingerprint FROM idempotent_requests WHERE key = 'sign-up-1'`);
    const signed = `POST /api/v1/users\n${JSON.stringify(body)}`;
    expect(row.fingerprint.equals(sha256(signed))).toBe(false);
    const keyed = new ServerKeys(process.env.AUTH_JWT_SECRET!).hmac(
      'gatehouse idempotency fingerprint',
      signed,
    );
    expect(row.fingerprint.equals(keyed)).toBe(true);
  });

  it('I4: recovery codes are stored as HMACs; none is its plain SHA-256, and every one still works', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    const { recoveryCodes } = await enableTotp(t.api, tokens.accessToken);
    const rows: { code_hash: Buffer }[] = await t.db.query(
      'SELECT code_hash FROM recovery_codes WHERE user_id = $1',
      [user.id],
    );
    expect(rows).toHaveLength(recoveryCodes.length);
    const plain = recoveryCodes.map((code) => sha256(code.replace('-', '')));
    for (const { code_hash } of rows) expect(plain.some((hash) => hash.equals(code_hash))).toBe(false);
    const login = await send(
      t.api.POST('/api/v1/auth/login', { body: { email: user.email, password: user.password } }),
    );
    const finished = await send(
      t.api.POST('/api/v1/auth/login/mfa', {
        body: { mfaToken: login.body.mfaToken, recoveryCode: recoveryCodes[3]! },
      }),
    );
    expect(finished.status).toBe(200);
    expect((await send(t.api.GET('/api/v1/users/me', bearer(finished.body.accessToken)))).status).toBe(200);
  });

  it('I4: a recovery code stored before codes were keyed (a plain SHA-256) still signs in once', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    await enableTotp(t.api, tokens.accessToken);
    const legacy = 'ABCDE-FGHJK';
    await t.db.query('INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, now())', [
      user.id,
      sha256('ABCDEFGHJK'),
    ]);
    const finish = async () => {
      const login = await send(
        t.api.POST('/api/v1/auth/login', { body: { email: user.email, password: user.password } }),
      );
      return send(
        t.api.POST('/api/v1/auth/login/mfa', {
          body: { mfaToken: login.body.mfaToken, recoveryCode: legacy },
        }),
      );
    };
    expect((await finish()).status).toBe(200);
    expect((await finish()).status).toBe(401);
  });
});
