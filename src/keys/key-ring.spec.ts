import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SignJWT, UnsecuredJWT } from 'jose';
import { createPrivateKey, createSecretKey } from 'node:crypto';
import { SecretBox } from '../common/secret-box.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { AsymmetricAlgorithm, SigningKey, SigningKeyState } from './entities/signing-key.entity.js';
import { generateKeyMaterial, publicKeyPemOf } from './key-material.js';
import { KeyRing, rememberingVerified, VERIFIED_TOKENS_CACHED } from './key-ring.js';
import type { SigningKeysRepository } from './signing-keys.repository.js';

Logger.overrideLogger(false);

const KEK = Buffer.alloc(32, 3);
const SECRET = 'the HS256 secret of this deployment, 32+ bytes';
const AUTH = {
  issuer: 'gatehouse',
  audience: 'gatehouse-api',
  jwtSecret: SECRET,
  jwtSecretIsEphemeral: false,
  keyEncryptionKey: KEK,
  signingAlgorithm: 'EdDSA',
} as AuthConfig;
const NOW = Math.floor(Date.parse('2026-12-07T12:00:00Z') / 1000);
const CLAIMS = { sub: 'user-1', sid: 'session-1', iat: NOW, exp: NOW + 900 };

/** A key as `signing_keys` holds it, with its private key in clear for forging. */
function aKey(state: SigningKeyState, algorithm: AsymmetricAlgorithm = 'EdDSA', activatedAt?: Date) {
  const material = generateKeyMaterial(algorithm);
  const row: SigningKey = {
    kid: material.kid,
    algorithm,
    state,
    publicJwk: material.publicJwk,
    privateKeySealed: new SecretBox(KEK).seal(material.privateKeyPem, material.kid),
    createdAt: new Date((NOW - 86_400) * 1000),
    activatedAt: state === 'next' ? null : (activatedAt ?? new Date((NOW - 3600) * 1000)),
    retiredAt: state === 'retired' ? new Date((NOW - 60) * 1000) : null,
  };
  return { row, privateKey: createPrivateKey(material.privateKeyPem) };
}

/** A ring over a table that holds `keys` (changeable between reads). */
async function ringOf(keys: SigningKey[], auth: Partial<AuthConfig> = {}) {
  const table = { keys, fails: false, reads: 0 };
  const repository = {
    all: async () => {
      table.reads++;
      if (table.fails) throw new Error('connection refused');
      return table.keys;
    },
  } as unknown as SigningKeysRepository;
  const config = { ...AUTH, ...auth };
  const ring = new KeyRing(config, repository, new SecretBox(config.keyEncryptionKey));
  await ring.refresh();
  return { ring, table };
}

const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

/** A token as another signer would make it: valid claims unless overridden. */
function forged(key: Parameters<SignJWT['sign']>[0], header: object, claims: object = {}) {
  return new SignJWT({ iss: 'gatehouse', aud: 'gatehouse-api', ...CLAIMS, ...claims })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header } as { alg: string })
    .sign(key);
}

describe('KeyRing', () => {
  it('signs with the current key, names it in the header, and verifies what it signed', async () => {
    const current = aKey('current');
    const { ring } = await ringOf([aKey('next').row, current.row]);
    const token = ring.sign(CLAIMS);
    expect(headerOf(token)).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: current.row.kid });
    expect(ring.verify(token)).toEqual({ ...CLAIMS, iss: 'gatehouse', aud: 'gatehouse-api' });
    expect(ring.currentKid).toBe(current.row.kid);
  });

  it('signs with ES256 keys too', async () => {
    const current = aKey('current', 'ES256');
    const { ring } = await ringOf([current.row]);
    const token = ring.sign(CLAIMS);
    expect(headerOf(token)).toMatchObject({ alg: 'ES256', kid: current.row.kid });
    expect(ring.verify(token)).toMatchObject(CLAIMS);
  });

  it('verifies tokens of every published key, and of a key only once it has read it', async () => {
    const [current, next, retired] = [aKey('current'), aKey('next'), aKey('retired')];
    const { ring, table } = await ringOf([current.row, retired.row]);
    expect(ring.verify(await forged(retired.privateKey, { kid: retired.row.kid }))).toMatchObject(CLAIMS);
    const byNext = await forged(next.privateKey, { kid: next.row.kid });
    expect(() => ring.verify(byNext)).toThrow('no published key verifies this token');
    table.keys = [current.row, next.row];
    await ring.refresh();
    expect(ring.verify(byNext)).toMatchObject(CLAIMS);
    // Removed from the set: its tokens stop verifying, the one verified above too (EdDSA signs
    // deterministically: the same token, which its verifier had remembered).
    const byRetired = await forged(retired.privateKey, { kid: retired.row.kid });
    expect(() => ring.verify(byRetired)).toThrow('no published key verifies this token');
  });

  it('refuses alg none, HS256 signed with the public key, an algorithm the key does not have, and a forged signature', async () => {
    const current = aKey('current');
    const other = aKey('current');
    const { ring } = await ringOf([current.row]);
    const kid = current.row.kid;
    const payload = { iss: 'gatehouse', aud: 'gatehouse-api', ...CLAIMS };
    const none = new UnsecuredJWT(payload)
      .encode()
      .replace(/^[^.]+/, () =>
        Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid })).toString('base64url'),
      );
    const publicPem = createSecretKey(Buffer.from(publicKeyPemOf(current.row.publicJwk)));
    for (const token of [
      none,
      await forged(publicPem, { alg: 'HS256', kid }),
      await forged(other.privateKey, { alg: 'EdDSA', kid }),
      await forged(createSecretKey(Buffer.from(SECRET)), { alg: 'HS256', kid }),
      `${Buffer.from('{"alg":"ES256","typ":"at+jwt","kid":"' + kid + '"}').toString('base64url')}.e30.sig`,
      'not.a.token',
      'garbage',
      '',
    ])
      expect(() => ring.verify(token)).toThrow(
        /^(no published key verifies this token|The token signature is invalid\.)$/,
      );
  });

  it('refuses another issuer, audience or type, and a token without a subject or times', async () => {
    const current = aKey('current');
    const { ring } = await ringOf([current.row]);
    const header = { kid: current.row.kid };
    expect(ring.verify(await forged(current.privateKey, header))).toMatchObject(CLAIMS);
    const { sub: _sub, ...withoutSub } = { iss: 'gatehouse', aud: 'gatehouse-api', ...CLAIMS };
    for (const token of [
      await forged(current.privateKey, header, { iss: 'elsewhere' }),
      await forged(current.privateKey, header, { aud: 'another-api' }),
      await forged(current.privateKey, { ...header, typ: 'JWT' }),
      await new SignJWT(withoutSub)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header })
        .sign(current.privateKey),
      await forged(current.privateKey, header, { iat: undefined }),
      await forged(current.privateKey, header, { exp: undefined }),
    ])
      expect(() => ring.verify(token)).toThrow(/^(The (iss|aud|sub|iat|exp) claim|Invalid typ\.)/);
  });

  describe('HS256', () => {
    const hs256 = (claims: object = {}) =>
      forged(createSecretKey(Buffer.from(SECRET)), { alg: 'HS256' }, claims);

    it('signs and verifies with AUTH_JWT_SECRET when it is the setting, and still verifies key pairs', async () => {
      const retired = aKey('current');
      const { ring } = await ringOf([retired.row], { signingAlgorithm: 'HS256' });
      const token = ring.sign(CLAIMS);
      expect(headerOf(token)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
      expect(ring.verify(token)).toMatchObject(CLAIMS);
      expect(ring.verify(await hs256({ iat: NOW + 86_400 }))).toMatchObject({ iat: NOW + 86_400 });
      expect(ring.currentKid).toBeUndefined();
      expect(ring.verify(await forged(retired.privateKey, { kid: retired.row.kid }))).toMatchObject(CLAIMS);
    });

    it('after a switch to key pairs, accepts the tokens issued before the first key signed, and no later ones', async () => {
      const first = new Date(NOW * 1000);
      const { ring } = await ringOf([aKey('current', 'EdDSA', first).row]);
      // In the second it signed too: `iat` has no finer grain.
      for (const iat of [NOW - 1, NOW]) expect(ring.verify(await hs256({ iat }))).toMatchObject({ iat });
      for (const iat of [NOW + 1, NOW + 2]) {
        const token = await hs256({ iat });
        expect(() => ring.verify(token)).toThrow('an HS256 token issued after the switch to key pairs');
      }
    });

    it('accepts no HS256 token when the secret is a random one of the process, or no key pair ever signed', async () => {
      const { ring: ephemeral } = await ringOf([aKey('current', 'EdDSA', new Date(NOW * 1000 + 5000)).row], {
        jwtSecretIsEphemeral: true,
      });
      const { ring: empty } = await ringOf([]);
      const token = await hs256({ iat: NOW - 1 });
      for (const ring of [ephemeral, empty])
        expect(() => ring.verify(token)).toThrow('no published key verifies this token');
    });

    it('warns at start-up when it signs with a random secret of the process, and only then', async () => {
      const warnings: unknown[] = [];
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((m) => void warnings.push(m));
      await ringOf([], { jwtSecretIsEphemeral: true });
      await ringOf([], { jwtSecretIsEphemeral: true, signingAlgorithm: 'HS256' });
      await ringOf([], { signingAlgorithm: 'HS256' });
      warn.mockRestore();
      expect(warnings).toEqual([
        expect.stringMatching(/^AUTH_JWT_SECRET is unset: .*stop working when it restarts$/),
      ]);
    });
  });

  it('cannot sign before a current key was read', async () => {
    const { ring } = await ringOf([aKey('next').row]);
    expect(() => ring.sign(CLAIMS)).toThrow('no signing key is current');
  });

  it('says so when the current key does not open with its key-encryption key, and still verifies', async () => {
    const errors: unknown[] = [];
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation((m) => void errors.push(m));
    const [current, next] = [aKey('current'), aKey('next')];
    const token = await forged(next.privateKey, { kid: next.row.kid });
    const { ring } = await ringOf([current.row, next.row], { keyEncryptionKey: Buffer.alloc(32, 4) });
    error.mockRestore();
    expect(errors).toEqual([
      `the current signing key ${current.row.kid} does not open with AUTH_KEY_ENCRYPTION_KEY: this instance cannot sign (docs/operations.md, "Signing keys")`,
    ]);
    expect(() => ring.sign(CLAIMS)).toThrow('no signing key is current');
    expect(ring.verify(token)).toMatchObject(CLAIMS);
    expect(ring.keySet.document.keys).toHaveLength(2);
  });

  it('keeps the keys it has when the table cannot be read', async () => {
    const current = aKey('current');
    const { ring, table } = await ringOf([current.row]);
    const token = ring.sign(CLAIMS);
    table.fails = true;
    await ring.refresh();
    expect(ring.verify(token)).toMatchObject(CLAIMS);
    expect(ring.verify(ring.sign(CLAIMS))).toMatchObject(CLAIMS);
  });

  it('publishes the public members of every key, the signing one first, with an entity tag that follows the set', async () => {
    const [current, next, retired] = [aKey('current'), aKey('next', 'ES256'), aKey('retired')];
    const { ring, table } = await ringOf([retired.row, next.row, current.row]);
    const { document, etag } = ring.keySet;
    expect(document.keys.map((k) => k.kid)).toEqual([current.row.kid, next.row.kid, retired.row.kid]);
    expect(document.keys[0]).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid: current.row.kid,
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(document.keys[1]).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: next.row.kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(JSON.stringify(document)).not.toMatch(/"d"|PRIVATE|v1\./);
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    table.keys = [current.row, next.row];
    await ring.refresh();
    expect(ring.keySet.etag).not.toBe(etag);
    const changed = ring.keySet.etag;
    await ring.refresh();
    expect(ring.keySet.etag).toBe(changed);
  });

  it('reads the set again every 30 seconds once started, until shutdown', async () => {
    jest.useFakeTimers();
    try {
      const { ring, table } = await ringOf([]);
      await ring.start();
      const afterStart = table.reads;
      await jest.advanceTimersByTimeAsync(29_999);
      expect(table.reads).toBe(afterStart);
      await jest.advanceTimersByTimeAsync(1);
      expect(table.reads).toBe(afterStart + 1);
      ring.onApplicationShutdown();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(table.reads).toBe(afterStart + 1);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('rememberingVerified', () => {
  const counting = () => {
    const calls: string[] = [];
    const verify = (token: string) => {
      calls.push(token);
      if (token.startsWith('bad')) throw new Error('invalid signature');
      return { sub: token };
    };
    return { calls, verify: rememberingVerified(verify) };
  };

  it('verifies a token once and answers its payload after that', () => {
    const { calls, verify } = counting();
    expect(verify('a')).toEqual({ sub: 'a' });
    expect(verify('a')).toEqual({ sub: 'a' });
    expect(verify('b')).toEqual({ sub: 'b' });
    expect(calls).toEqual(['a', 'b']);
  });

  it('does not remember a refusal', () => {
    const { calls, verify } = counting();
    expect(() => verify('bad')).toThrow('invalid signature');
    expect(() => verify('bad')).toThrow('invalid signature');
    expect(calls).toEqual(['bad', 'bad']);
  });

  it('forgets the oldest token once it holds as many as it may', () => {
    const { calls, verify } = counting();
    for (let i = 0; i <= VERIFIED_TOKENS_CACHED; i++) verify(`t${i}`);
    calls.length = 0;
    verify(`t${VERIFIED_TOKENS_CACHED}`);
    verify('t1');
    expect(calls).toEqual([]);
    verify('t0');
    expect(calls).toEqual(['t0']);
  });
});
