import type { JWTPayload } from 'jose';

/** Who called, as Gatehouse's access token says. */
export interface GatehousePrincipal {
  /** The user's id (`sub`). */
  userId: string;
  /** Gatehouse's session (`sid`): the token belongs to it. */
  sessionId: string | undefined;
  /** The user's roles when the token was issued (`roles`, RFC 9068 §2.2.3.1). */
  roles: string[];
  /** The client the token was issued to (`client_id`). */
  clientId: string | undefined;
  /** The token's id (`jti`). */
  tokenId: string | undefined;
  /** When the token expires (`exp`). */
  expiresAt: Date;
  /** Every verified claim, for what this package does not name. */
  claims: JWTPayload;
}

export function principalOf(claims: JWTPayload): GatehousePrincipal {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r): r is string => typeof r === 'string')
    : [];
  return {
    userId: claims.sub!,
    sessionId: text(claims.sid),
    roles,
    clientId: text(claims.client_id),
    tokenId: text(claims.jti),
    expiresAt: new Date(claims.exp! * 1000),
    claims,
  };
}
