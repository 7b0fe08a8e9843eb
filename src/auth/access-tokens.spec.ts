import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SignJWT } from 'jose';
import type { Clock } from '../common/clock.js';
import type { AuthConfig } from '../config/auth.config.js';
import { AccessTokens } from './access-tokens.js';
import { UnauthenticatedError } from '../access/access.errors.js';
import { SecretBox } from '../common/secret-box.js';
import { CLOCK_SKEW_SECONDS, KeyRing } from '../keys/key-ring.js';
import type { SigningKeysRepository } from '../keys/signing-keys.repository.js';

Logger.overrideLogger(false);

const SECRET = 'a test signing key of at least 32 bytes!';
const CLAIMS = { sub: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', sid: '5f0c6b0e-8d1a-4c3e-9a53-3c1f0a5a7d2e' };
const AUTH = {
  jwtSecret: SECRET,
  jwtSecretIsEphemeral: false,
  issuer: 'gatehouse',
  audience: 'gatehouse-api',
  accessTokenTtlSeconds: 900,
  // The token format and its checks; keys/key-ring.spec.ts covers the key pairs.
  signingAlgorithm: 'HS256',
  keyEncryptionKey: Buffer.alloc(32, 7),
} as AuthConfig;
const ISSUED = { ...CLAIMS, role: 'user' as const };

/** The ring of an HS256 deployment: no key pair, so no key set to read. */
const ringOf = (auth: AuthConfig) =>
  new KeyRing(auth, {} as SigningKeysRepository, new SecretBox(auth.keyEncryptionKey));

function tokens(at = Date.parse('2026-11-29T12:00:00.000Z')) {
  let now = at;
  const subject = new AccessTokens(AUTH, ringOf(AUTH), { now: () => new Date(now) } as Clock);
  return { subject, advance: (seconds: number) => (now += seconds * 1000), now: () => now };
}

/** A token signed with `key`, the claims and header given over valid ones. */
async function forged(
  { header = {}, claims = {}, key = SECRET }: { header?: object; claims?: object; key?: string } = {},
  at = Date.parse('2026-11-29T12:00:00.000Z'),
) {
  const iat = Math.floor(at / 1000);
  return new SignJWT({ ...CLAIMS, iss: 'gatehouse', aud: 'gatehouse-api', iat, exp: iat + 900, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header })
    .sign(new TextEncoder().encode(key));
}

describe('AccessTokens', () => {
  it('issues a token for the session that verifies to its claims, for AUTH_ACCESS_TOKEN_TTL', () => {
    const { subject, advance } = tokens();
    const token = subject.issue(ISSUED);
    expect(subject.ttlSeconds).toBe(900);
    expect(subject.verify(token)).toEqual(CLAIMS);
    advance(899);
    expect(subject.verify(token)).toEqual(CLAIMS);
    advance(1);
    expect(() => subject.verify(token)).toThrow(UnauthenticatedError);
  });

  it('accepts a token signed elsewhere with the same key and claims (the format is the contract)', async () => {
    expect(tokens().subject.verify(await forged())).toEqual(CLAIMS);
  });

  it('allows another clock to be a little ahead, not more', async () => {
    // Past any real clock that runs the test: the start is checked against the injected one only.
    const at = Date.parse('2099-11-29T12:00:00.000Z');
    const ahead = (seconds: number) => forged({ claims: { nbf: Math.floor(at / 1000) + seconds } }, at);
    expect(tokens(at).subject.verify(await ahead(CLOCK_SKEW_SECONDS))).toEqual(CLAIMS);
    const tooFar = await ahead(CLOCK_SKEW_SECONDS + 1);
    expect(() => tokens(at).subject.verify(tooFar)).toThrow(UnauthenticatedError);
  });

  it('allows an issue time a little ahead, exactly up to the skew', async () => {
    const at = Date.parse('2026-11-29T12:00:00.000Z');
    const issuedAhead = (seconds: number) => {
      const iat = Math.floor(at / 1000) + seconds;
      return forged({ claims: { iat, exp: iat + 900 } });
    };
    expect(tokens(at).subject.verify(await issuedAhead(CLOCK_SKEW_SECONDS))).toEqual(CLAIMS);
    const tooFar = await issuedAhead(CLOCK_SKEW_SECONDS + 1);
    expect(() => tokens(at).subject.verify(tooFar)).toThrow(UnauthenticatedError);
  });

  it.each([
    ['another key', { key: 'another deployment secret of 32+ bytes!' }],
    ['another issuer', { claims: { iss: 'someone-else' } }],
    ['another audience', { claims: { aud: 'another-api' } }],
    ['another type', { header: { typ: 'JWT' } }],
    ['a subject that is not a UUID', { claims: { sub: 'admin' } }],
    ['a session that is not a UUID', { claims: { sid: 42 } }],
    ['no session', { claims: { sid: undefined } }],
    // Arrays whose one element is a UUID: a regular expression would read them as that UUID.
    ['a subject that is a list', { claims: { sub: [CLAIMS.sub] } }],
    ['a session that is a list', { claims: { sid: [CLAIMS.sid] } }],
    // Numbers in strings: a comparison would read them as the numbers.
    [
      'an expiry that is a string',
      { claims: { exp: String(Math.floor(Date.parse('2026-11-29T12:10:00Z') / 1000)) } },
    ],
    [
      'an issue time that is a string',
      { claims: { iat: String(Math.floor(Date.parse('2026-11-29T12:00:00Z') / 1000)) } },
    ],
    ['a start (nbf) that is a string', { claims: { nbf: '0' } }],
    ['another HMAC algorithm with the same key', { header: { alg: 'HS512' } }],
    ['an expiry in the past', { claims: { exp: Math.floor(Date.parse('2026-11-29T11:00:00Z') / 1000) } }],
    ['no issuer', { claims: { iss: undefined } }],
    ['no audience', { claims: { aud: undefined } }],
    ['no issue time', { claims: { iat: undefined } }],
    ['no expiry', { claims: { exp: undefined } }],
    ['a start (nbf) a day ahead', { claims: { nbf: Math.floor(Date.parse('2026-11-30T12:00:00Z') / 1000) } }],
    [
      'an issue time a year ahead',
      {
        claims: {
          iat: Math.floor(Date.parse('2027-11-29T12:00:00Z') / 1000),
          exp: Math.floor(Date.parse('2027-11-29T12:10:00Z') / 1000),
        },
      },
    ],
    [
      'an expiry in the year 10000',
      { claims: { exp: Math.floor(Date.parse('+010000-01-01T00:00:00Z') / 1000) } },
    ],
    [
      'a lifetime longer than AUTH_ACCESS_TOKEN_TTL',
      { claims: { exp: Math.floor(Date.parse('2026-11-29T12:15:01Z') / 1000) } },
    ],
  ])('refuses a token with %s', async (_, forgery) => {
    const token = await forged(forgery);
    expect(() => tokens().subject.verify(token)).toThrow(
      new UnauthenticatedError('The access token is not valid: it is malformed, expired or not ours.'),
    );
  });

  it('warns at start-up when the key is a random one of this process, and only then', () => {
    const warnings: unknown[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message) => warnings.push(message));
    const clock = { now: () => new Date() } as Clock;
    // A random key works, for as long as this process lives.
    for (const subject of [
      new AccessTokens(AUTH, ringOf({ ...AUTH, jwtSecretIsEphemeral: true }), clock),
      new AccessTokens(AUTH, ringOf(AUTH), clock),
    ])
      expect(subject.verify(subject.issue(ISSUED))).toEqual(CLAIMS);
    warn.mockRestore();
    expect(warnings).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET is unset: .*stop working when it restarts$/),
    ]);
  });

  it('refuses an unsigned token (alg none), a tampered one and garbage', async () => {
    const { subject } = tokens();
    const [header, payload, signature] = subject.issue(ISSUED).split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${payload}.`;
    const raised = Buffer.from(
      JSON.stringify({ ...CLAIMS, sub: '1b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e' }),
    ).toString('base64url');
    for (const token of [none, `${header}.${raised}.${signature}`, 'garbage', '', `${header}.${payload}.x`])
      expect(() => subject.verify(token)).toThrow(UnauthenticatedError);
  });
});
