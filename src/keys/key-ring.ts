import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createSigner, createVerifier } from 'fast-jwt';
import { entityTag } from '../common/http/conditional-requests.js';
import { SecretBox } from '../common/secret-box.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import type { PublicJwk, SigningKey } from './entities/signing-key.entity.js';
import { publicKeyPemOf } from './key-material.js';
import { KEY_SET_REFRESH_SECONDS } from './key-set-refresh.js';
import { SigningKeysRepository } from './signing-keys.repository.js';

/** RFC 9068's type for access tokens, so that no other JWT signed with the key passes as one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** How far another clock may be ahead of ours when it says a token was issued or becomes valid. */
export const CLOCK_SKEW_SECONDS = 30;
/** Verified tokens each key remembers: every client's token, verified once per process (bench/README.md). */
export const VERIFIED_TOKENS_CACHED = 10_000;
/** Distinct token headers remembered: a few per key; the map is emptied when a client sends more. */
const HEADERS_REMEMBERED = 64;

type Payload = Record<string, unknown>;
interface Verifier {
  verify(token: string): Payload;
  /** HS256 tokens are accepted only when issued (`iat`, seconds) no later than the first key pair signed. */
  issuedBefore?: number;
}

/** The JSON Web Key Set (RFC 7517) as published, with its entity tag. */
export interface PublishedKeySet {
  document: { keys: (PublicJwk & { kid: string; alg: string; use: 'sig' })[] };
  etag: string;
}

/**
 * The keys of this process, read from `signing_keys`: the one that signs, and a verifier per
 * published key, picked by the token's header (`kid`, and `alg` as that key's algorithm only, so
 * `alg: none` or HS256 signed with a public key never reach a verifier that would take them). Each
 * verifier remembers the tokens it verified (`rememberingVerified`), so an asymmetric signature is
 * checked once per token and process, not once per request. With
 * AUTH_SIGNING_ALGORITHM=HS256 tokens are signed with AUTH_JWT_SECRET; after a switch away from it,
 * the tokens that secret signed before the first key pair did stay valid until they expire.
 */
@Injectable()
export class KeyRing implements OnApplicationShutdown {
  private readonly logger = new Logger('KeyRing');
  private readonly hs256: { sign: (payload: Payload) => string; verify: (token: string) => Payload };
  private keys: SigningKey[] = [];
  private signer: ((payload: Payload) => string) | undefined;
  private signerKid: string | undefined;
  private verifiers = new Map<string, Verifier>();
  private readonly byHeader = new Map<string, Verifier | null>();
  private published: PublishedKeySet = keySetOf([]);
  private poll: NodeJS.Timeout | undefined;

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly repository: SigningKeysRepository,
    /** Sealed with AUTH_KEY_ENCRYPTION_KEY (KeysModule). */
    private readonly box: SecretBox,
  ) {
    if (auth.signingAlgorithm === 'HS256' && auth.jwtSecretIsEphemeral)
      this.logger.warn(
        'AUTH_JWT_SECRET is unset: access tokens are signed with a random key of this process and stop working when it restarts',
      );
    const key = Buffer.from(auth.jwtSecret, 'utf8');
    this.hs256 = {
      sign: createSigner({
        key,
        algorithm: 'HS256',
        ...this.claims(),
        header: { alg: 'HS256', typ: ACCESS_TOKEN_TYPE },
      }),
      verify: rememberingVerified(createVerifier({ key, algorithms: ['HS256'], ...this.checks() })),
    };
  }

  /** Reads the key set again now, and then every KEY_SET_REFRESH_SECONDS until shutdown. */
  async start(): Promise<void> {
    await this.refresh();
    this.poll ??= setInterval(() => void this.refresh(), KEY_SET_REFRESH_SECONDS * 1000).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.poll);
  }

  /** Reads `signing_keys`; a failed read keeps the keys this process has (they stay valid). */
  async refresh(): Promise<void> {
    try {
      this.use(await this.repository.all());
    } catch (error) {
      this.logger.warn(`the key set could not be read, the known keys stay in use: ${String(error)}`);
    }
  }

  /** The kid that signs now; undefined when HS256 does. */
  get currentKid(): string | undefined {
    return this.auth.signingAlgorithm === 'HS256' ? undefined : this.signerKid;
  }

  get keySet(): PublishedKeySet {
    return this.published;
  }

  /** A signed access token: `typ`, `kid`, `iss` and `aud` added here. */
  sign(payload: Payload): string {
    if (this.auth.signingAlgorithm === 'HS256') return this.hs256.sign(payload);
    if (!this.signer) throw new Error('no signing key is current: the key set was never read');
    return this.signer(payload);
  }

  /**
   * The payload of a token signed by a published key (or AUTH_JWT_SECRET, see above), of our
   * type, issuer and audience, with `iss`, `aud`, `sub`, `iat` and `exp`. Times are the caller's
   * to check, against its clock. Throws anything else.
   */
  verify(token: string): Payload {
    const dot = token.indexOf('.');
    const verifier = this.verifierOf(token.slice(0, dot));
    if (!verifier) throw new Error('no published key verifies this token');
    const payload = verifier.verify(token);
    if (verifier.issuedBefore !== undefined && !((payload.iat as number) <= verifier.issuedBefore))
      throw new Error('an HS256 token issued after the switch to key pairs');
    return payload;
  }

  private verifierOf(header: string): Verifier | undefined {
    const known = this.byHeader.get(header);
    if (known !== undefined) return known ?? undefined;
    const verifier = this.verifierOfHeader(header);
    if (this.byHeader.size >= HEADERS_REMEMBERED) this.byHeader.clear();
    this.byHeader.set(header, verifier ?? null);
    return verifier;
  }

  private verifierOfHeader(header: string): Verifier | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const { alg, kid } = (parsed ?? {}) as { alg?: unknown; kid?: unknown };
    if (typeof kid === 'string') {
      const key = this.keys.find((k) => k.kid === kid);
      return key && key.algorithm === alg ? this.verifiers.get(kid) : undefined;
    }
    return alg === 'HS256' ? this.hs256Verifier() : undefined;
  }

  /** HS256 tokens: all of them in HS256 mode; else those issued before the first key pair signed. */
  private hs256Verifier(): Verifier | undefined {
    if (this.auth.signingAlgorithm === 'HS256') return { verify: this.hs256.verify };
    if (this.auth.jwtSecretIsEphemeral) return undefined;
    const activations = this.keys.map((k) => k.activatedAt?.getTime() ?? Infinity);
    const firstSigned = Math.min(...activations);
    return Number.isFinite(firstSigned)
      ? { verify: this.hs256.verify, issuedBefore: Math.floor(firstSigned / 1000) }
      : undefined;
  }

  private use(keys: SigningKey[]): void {
    const verifiers = new Map<string, Verifier>();
    for (const key of keys) verifiers.set(key.kid, this.verifiers.get(key.kid) ?? this.verifierFor(key));
    const current = keys.find((k) => k.state === 'current');
    if (current && current.kid !== this.signerKid) this.signWith(current);
    this.keys = keys;
    this.verifiers = verifiers;
    this.byHeader.clear();
    this.published = keySetOf(keys);
  }

  /**
   * Signs with `key` from now on. A key this process cannot open (sealed under another
   * AUTH_KEY_ENCRYPTION_KEY) changes nothing but is said loudly; verification goes on either way.
   */
  private signWith(key: SigningKey): void {
    try {
      this.signer = this.signerFor(key);
      this.signerKid = key.kid;
    } catch {
      this.logger.error(
        `the current signing key ${key.kid} does not open with AUTH_KEY_ENCRYPTION_KEY: this instance cannot sign (docs/operations.md, "Signing keys")`,
      );
    }
  }

  private verifierFor(key: SigningKey): Verifier {
    const verify = createVerifier({
      key: publicKeyPemOf(key.publicJwk),
      algorithms: [key.algorithm],
      ...this.checks(),
    });
    return { verify: rememberingVerified(verify) };
  }

  private signerFor(key: SigningKey): (payload: Payload) => string {
    // The one place the private key is in clear: in this closure, never logged or returned.
    const privateKey = this.box.open(key.privateKeySealed, key.kid);
    return createSigner({
      key: privateKey,
      algorithm: key.algorithm,
      kid: key.kid,
      ...this.claims(),
      header: { alg: key.algorithm, typ: ACCESS_TOKEN_TYPE },
    });
  }

  private claims() {
    return { iss: this.auth.issuer, aud: this.auth.audience };
  }

  private checks() {
    return {
      allowedIss: this.auth.issuer,
      allowedAud: this.auth.audience,
      checkTyp: ACCESS_TOKEN_TYPE,
      requiredClaims: ['iss', 'aud', 'sub', 'iat', 'exp'],
      // The caller checks the times against its clock, which tests move.
      ignoreExpiration: true,
      ignoreNotBefore: true,
    };
  }
}

/**
 * `verify`, remembering the payloads of the last VERIFIED_TOKENS_CACHED tokens it accepted, keyed
 * by the token itself: a key the token is, so no two tokens can share one. fast-jwt's own cache
 * keys by the token's SHA-256, which cost ~10 µs a request, 4% of `GET /users/me` (bench/README.md,
 * issue 31); its identity key builder works too but warns at every verifier made. Refusals are not
 * remembered, and a verifier goes with its key when the key set drops it. The tokens held are
 * bearer credentials this process has already read; they never leave it.
 */
export function rememberingVerified(verify: (token: string) => Payload): (token: string) => Payload {
  const verified = new Map<string, Payload>();
  return (token) => {
    const known = verified.get(token);
    if (known) return known;
    const payload = verify(token);
    // The oldest goes first: an access token lives minutes, so the oldest is the first to be done.
    if (verified.size >= VERIFIED_TOKENS_CACHED) verified.delete(verified.keys().next().value!);
    verified.set(token, payload);
    return payload;
  };
}

/** RFC 7517's document: every published key, the signing one first, with its `alg` and `use`. */
function keySetOf(keys: SigningKey[]): PublishedKeySet {
  const order = { current: 0, next: 1, retired: 2 };
  const jwks = keys
    .toSorted((a, b) => order[a.state] - order[b.state])
    .map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.algorithm, use: 'sig' as const }));
  const document = { keys: jwks };
  return { document, etag: entityTag(JSON.stringify(document)) };
}
