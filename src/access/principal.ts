import type { ApiScope } from './api-scopes.js';
import type { OrganizationRole } from './organization-roles.js';

/** The roles an account may hold; the `users.role` column stores one of them. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What every caller is: an account with its role of the moment. The guard reads both from the
 * database on every request, so revocation and role changes apply at once. The users module adds
 * the caller's account (`user`) to this interface, since it owns that type (users/principal-user.ts).
 */
export interface PrincipalBase {
  userId: string;
  role: Role;
}

/** A person signed in: an access token of a live session. */
export interface SessionPrincipal extends PrincipalBase {
  via: 'session';
  sessionId: string;
  /** When the session last proved who holds it: its sign-in, or a reauthentication since. */
  authenticatedAt: Date;
}

/** A machine acting for its owner with an API key, within the key's scopes (src/api-keys/). */
export interface ApiKeyPrincipal extends PrincipalBase {
  via: 'api-key';
  apiKeyId: string;
  scopes: readonly ApiScope[];
}

/**
 * An account a route's path names, read with the caller's principal (`AccessRule.account`): the
 * users module's `User`, as `PrincipalBase.user` is.
 */
export type Account = PrincipalBase['user'];

/** Who is calling. Routes that name no scope refuse keys, so they only ever see a session. */
export type Principal = SessionPrincipal | ApiKeyPrincipal;

/** The caller's membership in the organization an organization-scoped route names in its path. */
export interface OrganizationMembership {
  organizationId: string;
  role: OrganizationRole;
}

/** The guard puts the caller on the request; public routes may have none. */
declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** On organization-scoped routes: the caller's membership, as the guard read it. */
    membership?: OrganizationMembership;
    /**
     * On routes that name an account (`AccessRule.account`), read by a session's request with its
     * principal: the account, or null when there is none. Absent when it was not read that way.
     */
    account?: Account | null;
  }
}
