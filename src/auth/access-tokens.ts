import { Inject, Injectable, Logger } from '@nestjs/common';
import { createSigner, createVerifier } from 'fast-jwt';
import { Clock } from '../common/clock.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { UnauthenticatedError } from '../access/access.errors.js';

/** What a sign-in and a refresh answer. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface AccessTokenClaims {
  /** The user id. */
  sub: string;
  /** The session id: the token dies with its session. */
  sid: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 9068's type for access tokens, so that no other JWT signed with the key passes as one. */
const TOKEN_TYPE = 'at+jwt';
/** How far another clock may be ahead of ours when it says a token was issued or becomes valid. */
export const CLOCK_SKEW_SECONDS = 30;

/**
 * Short-lived JWT access tokens, HS256 only [RFC 8725]: `alg: none`, other algorithms, other issuers
 * or audiences, another `typ` are refused, and so is any token without `iss`, `aud`, `iat`, `exp`,
 * `sub` and `sid` [RFC 9068 §2.2], one issued or valid (`nbf`) in the future beyond a small skew,
 * an expired one, and one whose lifetime (`exp - iat`) is longer than AUTH_ACCESS_TOKEN_TTL, so a
 * key that leaked cannot mint tokens for the year 10000. Times are checked against the injected
 * clock. `fast-jwt` verifies synchronously with node:crypto; `jose` went through WebCrypto's
 * asynchronous jobs, several times the cost per request (bench/README.md).
 */
/** Verified tokens remembered (fast-jwt's default size): a few hundred kilobytes at most. */
const VERIFIED_TOKENS_CACHED = 1000;

@Injectable()
export class AccessTokens {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly decodeVerified: (token: string) => Record<string, unknown>;

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly clock: Clock,
  ) {
    if (auth.jwtSecretIsEphemeral)
      new Logger('Auth').warn(
        'AUTH_JWT_SECRET is unset: access tokens are signed with a random key of this process and stop working when it restarts',
      );
    const key = Buffer.from(auth.jwtSecret, 'utf8');
    this.sign = createSigner({
      key,
      algorithm: 'HS256',
      iss: auth.issuer,
      aud: auth.audience,
      header: { alg: 'HS256', typ: TOKEN_TYPE },
    });
    this.decodeVerified = createVerifier({
      key,
      algorithms: ['HS256'],
      allowedIss: auth.issuer,
      allowedAud: auth.audience,
      checkTyp: TOKEN_TYPE,
      requiredClaims: ['iss', 'aud', 'sub', 'sid', 'iat', 'exp'],
      // Checked below against the clock, which tests move.
      ignoreExpiration: true,
      ignoreNotBefore: true,
      // A client presents one token for its whole life: its signature is checked once and the
      // claims kept (fast-jwt's LRU, keyed by the token's hash), ~10 µs of every authenticated
      // request (bench/README.md). The claims are still checked below on every request, so a
      // cached token expires on time; so is its session, in the database.
      cache: VERIFIED_TOKENS_CACHED,
    });
  }

  get ttlSeconds(): number {
    return this.auth.accessTokenTtlSeconds;
  }

  issue(claims: AccessTokenClaims): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return this.sign({
      sub: claims.sub,
      sid: claims.sid,
      iat: now,
      exp: now + this.auth.accessTokenTtlSeconds,
    });
  }

  /** A new access token for the session, with the refresh token that goes with it. */
  pair(userId: string, sessionId: string, refreshToken: string): TokenPair {
    return {
      accessToken: this.issue({ sub: userId, sid: sessionId }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.ttlSeconds,
    };
  }

  /** The claims of a valid token; `UnauthenticatedError` for anything else. */
  verify(token: string): AccessTokenClaims {
    let payload: Record<string, unknown>;
    try {
      payload = this.decodeVerified(token);
    } catch {
      throw invalid();
    }
    const { sub, sid, iat, exp, nbf } = payload;
    const now = this.clock.now().getTime() / 1000;
    if (typeof exp !== 'number' || typeof iat !== 'number' || exp <= now) throw invalid();
    if (iat > now + CLOCK_SKEW_SECONDS || exp - iat > this.auth.accessTokenTtlSeconds) throw invalid();
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + CLOCK_SKEW_SECONDS)) throw invalid();
    if (typeof sub !== 'string' || typeof sid !== 'string' || !UUID.test(sub) || !UUID.test(sid))
      throw invalid();
    return { sub, sid };
  }
}

const invalid = () =>
  new UnauthenticatedError('The access token is not valid: it is malformed, expired or not ours.');
