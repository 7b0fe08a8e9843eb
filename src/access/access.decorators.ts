import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblems, type ProblemMeaning } from '../common/swagger/api-problems.decorator.js';
import { setting } from '../common/swagger/documented-settings.js';
import type { Principal, Role } from './principal.js';

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
}

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
    ApiProblems(401, ...(refusal ? [refusal] : [])),
  );
}

/** The authenticated caller, as the guard found it in the database for this request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);

/** The 403 of a change that needs a recent sign-in or reauthentication (docs/security-model.md, I2). */
const REAUTHENTICATION_REQUIRED: ProblemMeaning = {
  status: 403,
  type: 'reauthentication-required',
  description: `The session has not proved who holds it within AUTH_REAUTHENTICATION_WINDOW (${setting('reauthenticationWindow')}) (\`/problems/reauthentication-required\`): call \`POST /auth/reauthenticate\` with the password or a code, then repeat the request.`,
};

/** The rule's 403, if it can refuse one; OpenAPI has one response per status, so both meanings share it. */
function forbiddenMeaning({ roles, recentAuthentication }: AccessRule): number | ProblemMeaning | undefined {
  if (!recentAuthentication) return roles ? 403 : undefined;
  if (!roles) return REAUTHENTICATION_REQUIRED;
  const description = `Your role may not use this operation (\`/problems/forbidden\`), or ${REAUTHENTICATION_REQUIRED.description}`;
  return { ...REAUTHENTICATION_REQUIRED, description };
}
