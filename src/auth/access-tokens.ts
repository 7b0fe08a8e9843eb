import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { UnauthenticatedError } from '../access/access.errors.js';
import { CLOCK_SKEW_SECONDS, KeyRing } from '../keys/key-ring.js';
import type { UserRole } from '../users/entities/user.entity.js';
import type { ActiveOrganization } from './sessions.repository.js';

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
/**
 * RFC 9068's `client_id`: the client the token was issued to. Every token today is issued to
 * Gatehouse's own sign-in (people through the API); machine clients will have their own.
 */
export const FIRST_PARTY_CLIENT_ID = 'gatehouse';

/**
 * Short-lived JWT access tokens in RFC 9068's profile (`typ: at+jwt`, `iss`, `aud`, `sub`, `iat`,
 * `exp`, `jti`, `client_id`, plus `sid`, `roles` and, when the session selected an organization,
 * `org_id` and `org_role`), signed and verified by the key ring
 * (keys/key-ring.ts: EdDSA, ES256 or HS256 by AUTH_SIGNING_ALGORITHM, the key named by `kid`).
 * Besides what the ring checks (signature, algorithm, `typ`, issuer, audience), a token is refused
 * when it lacks `sid`, was issued or is valid (`nbf`) in the future beyond a small skew, has
 * expired, or lives longer (`exp - iat`) than AUTH_ACCESS_TOKEN_TTL, so a key that leaked cannot
 * mint tokens for the year 10000. Times are checked against the injected clock.
 */
@Injectable()
export class AccessTokens {
  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly ring: KeyRing,
    private readonly clock: Clock,
  ) {}

  get ttlSeconds(): number {
    return this.auth.accessTokenTtlSeconds;
  }

  issue(claims: AccessTokenClaims & { role: UserRole; organization?: ActiveOrganization | null }): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const { organization } = claims;
    return this.ring.sign({
      sub: claims.sub,
      sid: claims.sid,
      // RFC 9068 §2.2.3.1: the role when the token was issued, for other services; Gatehouse's
      // own routes read the account's current role with the session.
      roles: [claims.role],
      // The session's selected organization, for other services; Gatehouse's own
      // organization-scoped routes read the membership on every request instead.
      ...(organization ? { org_id: organization.id, org_role: organization.role } : {}),
      client_id: FIRST_PARTY_CLIENT_ID,
      jti: randomUUID(),
      iat: now,
      exp: now + this.auth.accessTokenTtlSeconds,
    });
  }

  /** A new access token for the session, with the refresh token that goes with it. */
  pair(
    user: { id: string; role: UserRole },
    sessionId: string,
    refreshToken: string,
    organization: ActiveOrganization | null = null,
  ): TokenPair {
    return {
      accessToken: this.issue({ sub: user.id, sid: sessionId, role: user.role, organization }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.ttlSeconds,
    };
  }

  /** The claims of a valid token; `UnauthenticatedError` for anything else. */
  verify(token: string): AccessTokenClaims {
    let payload: Record<string, unknown>;
    try {
      payload = this.ring.verify(token);
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
