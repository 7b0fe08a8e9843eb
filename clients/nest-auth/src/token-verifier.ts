import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import {
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  GATEHOUSE_AUTH_OPTIONS,
  type GatehouseAuthOptions,
} from './options.js';
import { principalOf, type GatehousePrincipal } from './principal.js';

/**
 * Verifies an access token as RFC 9068 says a resource server must: the signature with the
 * published key the header names (`kid`), one of the allowed algorithms (never `none`, never
 * HS256: a public key is no HMAC secret), `typ: at+jwt`, the issuer, the audience, and `exp`,
 * `nbf` and `iat` within the clock tolerance. The key set is jose's remote JWKS: cached, fetched
 * again when a token names a `kid` it does not hold, at most once per cooldown.
 */
@Injectable()
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(@Inject(GATEHOUSE_AUTH_OPTIONS) private readonly options: GatehouseAuthOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUri), {
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    });
  }

  /** The caller of a valid token; throws (jose's errors) for anything else. */
  async verify(token: string): Promise<GatehousePrincipal> {
    const { payload } = await jwtVerify(token, this.keys, {
      issuer: this.options.issuer,
      audience: this.options.audience,
      algorithms: this.options.algorithms ?? DEFAULT_ALGORITHMS,
      typ: 'at+jwt',
      clockTolerance: this.options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    return principalOf(payload);
  }
}
