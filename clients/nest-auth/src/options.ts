/** How a resource server verifies Gatehouse's access tokens. */
export interface GatehouseAuthOptions {
  /** The `iss` of Gatehouse's tokens (its AUTH_JWT_ISSUER); tokens of any other issuer are refused. */
  issuer: string;
  /** The `aud` this service accepts (Gatehouse's AUTH_JWT_AUDIENCE). */
  audience: string;
  /** Gatehouse's key set: `<its APP_PUBLIC_URL>/.well-known/jwks.json`. */
  jwksUri: string;
  /** The signature algorithms accepted; Gatehouse signs with one of these. HS256 is never accepted. */
  algorithms?: ('EdDSA' | 'ES256')[];
  /** How far this service's clock may be from Gatehouse's, for `exp`, `nbf` and `iat`. Default 30. */
  clockToleranceSeconds?: number;
  /**
   * The least time between two fetches of the key set (a token naming a `kid` it does not hold
   * makes it fetch again, at most this often). Default 30 000.
   */
  jwksCooldownMs?: number;
  /** How long a fetched key set is used before it is fetched again. Default 10 minutes. */
  jwksCacheMaxAgeMs?: number;
  /** Guard every route of the application (opt out with `@Public()`). Default true. */
  guardAllRoutes?: boolean;
}

export const GATEHOUSE_AUTH_OPTIONS = Symbol('GATEHOUSE_AUTH_OPTIONS');

export const DEFAULT_ALGORITHMS: ('EdDSA' | 'ES256')[] = ['EdDSA', 'ES256'];
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
