import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ApiProblems, type ProblemMeaning } from '../common/swagger/api-problems.decorator.js';
import { setting } from '../common/swagger/documented-settings.js';
import type { ApiScope } from './api-scopes.js';
import { ForbiddenError } from './access.errors.js';
import type { OrganizationPermission } from './organization-roles.js';
import type { Account, OrganizationMembership, Principal, Role, SessionPrincipal } from './principal.js';

export const IS_PUBLIC = 'access:public';
export const ACCESS_RULE = 'access:rule';

/** Who may call a route besides "anyone signed in". A method's rule replaces its class's. */
export interface AccessRule {
  /** Only callers with one of these roles; others get a 403 `forbidden`. */
  roles?: readonly Role[];
  /**
   * Only a session whose holder proved who they are within AUTH_REAUTHENTICATION_WINDOW (its
   * sign-in, or `POST /auth/reauthenticate`); others get a 403 `reauthentication-required`. For
   * what weakens the account: deleting it, changing its passkeys (I2).
   */
  recentAuthentication?: boolean;
  /**
   * Opens the route to API keys that hold this scope (src/access/api-scopes.ts); without it, a key
   * gets a 403 `insufficient-scope`. The key's owner must still satisfy the rest of the rule.
   * Routes that change how one signs in, or that need a session, name none.
   */
  scope?: ApiScope;
  /**
   * An organization-scoped route: its path names the organization (`:organizationId`, else `:id`),
   * and only a member whose role there grants this permission (organization-roles.ts) may call it.
   * A non-member gets the 404 of an unknown organization; a member without it, a 403 `forbidden`.
   */
  organization?: OrganizationPermission;
  /**
   * The path parameter that names the one account the route reads (`GET /users/:id`): a session's
   * request reads it with the principal, in the same statement, for `@AccountInPath()`. A read, not a
   * permission: the route still decides who may see the account.
   */
  account?: string;
}

/** The path parameters that name an organization-scoped route's organization, in this order. */
export const ORGANIZATION_PARAMETERS = ['organizationId', 'id'] as const;

/** Open to anyone. Every other route needs a valid access token (the guard denies by default). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * A route for signed-in callers: sets the rule the guard enforces, and documents what it means in
 * OpenAPI (the bearer security, its 401 and, where the rule can refuse one, its 403), so that the
 * rule and its documentation cannot drift apart.
 */
export function Access(rule: AccessRule = {}) {
  const refusal = forbiddenMeaning(rule);
  return applyDecorators(
    SetMetadata(ACCESS_RULE, rule),
    ApiBearerAuth('bearer'),
    ...(rule.scope ? [ApiSecurity('apiKey'), ApiExtension('x-api-key-scope', rule.scope)] : []),
    ...(rule.organization ? [ApiExtension('x-organization-permission', rule.organization)] : []),
    ApiProblems(401, ...(refusal ? [refusal] : []), ...(rule.organization ? [NO_ORGANIZATION] : [])),
  );
}

/** The caller's membership on an organization-scoped route (`@Access({ organization })`). */
export const CurrentMembership = createParamDecorator(
  (_: unknown, context: ExecutionContext): OrganizationMembership => {
    const membership = context.switchToHttp().getRequest().membership;
    // Unreachable through the guard; a route that reads it without declaring `organization` is a bug.
    if (!membership) throw new ForbiddenError();
    return membership;
  },
);

/**
 * On a route that names an account (`@Access({ account })`): the account as the guard read it with
 * the caller, null when there is none, undefined when it was not read (an API key's request, or a
 * path without a UUID): then the route reads it itself.
 */
export const AccountInPath = createParamDecorator(
  (_: unknown, context: ExecutionContext): Account | null | undefined =>
    context.switchToHttp().getRequest().account,
);

const NO_ORGANIZATION: ProblemMeaning = {
  status: 404,
  type: 'not-found',
  description:
    'No such organization, or you are not one of its members (`/problems/not-found`): the two are not told apart.',
};

/** The authenticated caller, as the guard found it in the database for this request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);

/**
 * The caller of a route that names no scope: always a session, since the guard refused keys there.
 * For the routes that act on the session itself (ending it, reauthenticating, changing a password).
 */
export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext): SessionPrincipal => {
    const principal: Principal | undefined = context.switchToHttp().getRequest().principal;
    // Unreachable through the guard; a route that names a scope and reads the session is a bug.
    if (principal?.via !== 'session') throw new ForbiddenError();
    return principal;
  },
);

/** The 403 of a change that needs a recent sign-in or reauthentication (docs/security-model.md, I2). */
const REAUTHENTICATION_REQUIRED: ProblemMeaning = {
  status: 403,
  type: 'reauthentication-required',
  description: `The session has not proved who holds it within AUTH_REAUTHENTICATION_WINDOW (${setting('reauthenticationWindow')}) (\`/problems/reauthentication-required\`): call \`POST /auth/reauthenticate\` with the password or a code, then repeat the request.`,
};

/** The rule's 403, if it can refuse one; OpenAPI has one response per status, so both meanings share it. */
function forbiddenMeaning({
  roles,
  recentAuthentication,
  organization,
}: AccessRule): number | ProblemMeaning | undefined {
  if (organization && !recentAuthentication)
    return {
      status: 403,
      type: 'forbidden',
      description: `Your role in the organization does not grant \`${organization}\` (\`/problems/forbidden\`).`,
    };
  if (!recentAuthentication) return roles ? 403 : undefined;
  if (!roles) return REAUTHENTICATION_REQUIRED;
  const description = `Your role may not use this operation (\`/problems/forbidden\`), or ${REAUTHENTICATION_REQUIRED.description}`;
  // The role is checked first: the example is the refusal a caller without it gets.
  return { status: 403, type: 'forbidden', description };
}
