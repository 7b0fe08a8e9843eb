/**
 * The credentials of an `Authorization: Bearer <token>` header, or undefined. The scheme is
 * case-insensitive and followed by one or more spaces (RFC 9110 §11.1, §11.4; RFC 6750 §2.1).
 * Tokens come only from this header: tokens in URLs end up in logs.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization ?? '')?.[1];
}
