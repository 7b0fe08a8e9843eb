import type { OrganizationRole } from './organization-roles.js';
import type { Account, Principal } from './principal.js';

/** A caller with their role in the organization a request names (null: not a member). */
export interface PrincipalInOrganization {
  principal: Principal;
  organizationRole: OrganizationRole | null;
}

/** A caller with the account a request names (null: there is none). */
export interface PrincipalWithAccount {
  principal: Principal;
  account: Account | null;
}

/**
 * What the guard needs from the module that issues tokens (auth provides it): the caller behind a
 * bearer token, and a record of a refusal. A port, so that this layer stays below the features.
 */
export abstract class Principals {
  /** The live principal of an access token; throws `UnauthenticatedError` when there is none. */
  abstract authenticate(token: string): Promise<Principal>;
  /**
   * The same principal and, read in the same statement, the caller's role in `organizationId` (null
   * when they are not a member, or it does not exist): an organization-scoped request's two checks in
   * one round trip. Throws as `authenticate` does.
   */
  abstract authenticateIn(token: string, organizationId: string): Promise<PrincipalInOrganization>;
  /**
   * The same principal and, read in the same statement, the account `accountId` names: a route that
   * reads one account (`GET /users/:id`) in one round trip. Reading it decides nothing: the route
   * still decides whether the caller may see it. Throws as `authenticate` does.
   */
  abstract authenticateWith(token: string, accountId: string): Promise<PrincipalWithAccount>;
  /** A signed-in caller was refused a route their role may not use (`METHOD /path`). */
  abstract refused(principal: Principal, route: string): Promise<void>;
}

/**
 * What the guard needs from the module that issues API keys (api-keys provides it): whether a
 * bearer token is one, and the live principal behind it.
 */
export abstract class ApiKeyPrincipals {
  /** Whether the token has the shape of an API key (its prefix), so that it is never read as a JWT. */
  abstract recognises(token: string): boolean;
  /** The key's principal; throws `UnauthenticatedError` for a malformed, unknown, expired or ownerless key. */
  abstract authenticate(key: string, address: string): Promise<Principal>;
}

/**
 * What the guard needs from the module that owns organizations (organizations provides it): the
 * caller's role in one, read from the database on every organization-scoped request made with an
 * API key (a session's is read with the session: `Principals.authenticateIn`), so that a removal or
 * a demotion applies at once.
 */
export abstract class OrganizationMemberships {
  /** The user's role in the organization; null when they are not a member, or it does not exist. */
  abstract roleOf(organizationId: string, userId: string): Promise<OrganizationRole | null>;
}
