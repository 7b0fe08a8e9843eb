import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Clock } from '../common/clock.js';
import { bearerToken } from '../common/http/bearer-token.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { RequestValidationError } from '../common/errors/domain-error.js';
import { ACCESS_RULE, IS_PUBLIC, ORGANIZATION_PARAMETERS, type AccessRule } from './access.decorators.js';
import {
  ForbiddenError,
  InsufficientScopeError,
  OrganizationForbiddenError,
  OrganizationNotFoundError,
  ReauthenticationRequiredError,
  UnauthenticatedError,
} from './access.errors.js';
import { mayIn, type OrganizationPermission, type OrganizationRole } from './organization-roles.js';
import type { Account, Principal, SessionPrincipal } from './principal.js';
import { ApiKeyPrincipals, OrganizationMemberships, Principals } from './principals.js';

/**
 * The global guard: every route needs a valid access token whose session is still alive, unless it
 * is marked `@Public()`; `@Access(rule)` narrows who else may call it. The role comes from the
 * database, not the token, so a role change or a deletion applies to tokens already issued
 * [ASVS 7.4.1, 8.3.2].
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly principals: Principals,
    private readonly apiKeys: ApiKeyPrincipals,
    private readonly memberships: OrganizationMemberships,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthenticatedError(undefined, { tokenPresented: false });
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, targets) ?? {};
    const organization = rule.organization ? organizationInPath(request, rule.organization) : undefined;
    const account = rule.account ? accountInPath(request, rule.account) : undefined;
    const { principal, organizationRole, ...read } = await this.authenticate(token, request, {
      organization,
      account,
    });
    request.principal = principal;
    if (read.account !== undefined) request.account = read.account;

    // A key opens only the routes that name one of its scopes; the owner's role still applies.
    if (principal.via === 'api-key' && !(rule.scope && principal.scopes.includes(rule.scope))) {
      await this.principals.refused(principal, routeOf(request));
      throw new InsufficientScopeError(rule.scope);
    }
    if (rule.roles && !rule.roles.includes(principal.role)) {
      await this.principals.refused(principal, routeOf(request));
      throw new ForbiddenError();
    }
    // A key proves nothing recent: such a route refuses it even when it names a scope.
    if (organization) await this.checkMembership(request, principal, organization, organizationRole);
    if (rule.recentAuthentication && (principal.via !== 'session' || !this.provedRecently(principal))) {
      throw new ReauthenticationRequiredError(this.auth.reauthenticationWindowSeconds);
    }
    return true;
  }

  /**
   * The caller, and what the route's path names that a session's statement reads with it (one round
   * trip): on an organization-scoped route the caller's role there, on a route that names an account
   * that account. With an API key, the membership is asked of the organizations module when it is
   * checked and the account is left to the route (both undefined here).
   */
  private async authenticate(
    token: string,
    request: FastifyRequest,
    inPath: { organization?: OrganizationInPath; account?: string },
  ): Promise<{ principal: Principal; organizationRole?: OrganizationRole | null; account?: Account | null }> {
    if (this.apiKeys.recognises(token))
      return { principal: await this.apiKeys.authenticate(token, request.ip) };
    if (inPath.organization?.valid) return this.principals.authenticateIn(token, inPath.organization.id);
    if (inPath.account) return this.principals.authenticateWith(token, inPath.account);
    return { principal: await this.principals.authenticate(token) };
  }

  /**
   * The organization the path names must have the caller as a member whose role grants
   * `permission`; the membership is read on every request, so a removal applies at once. A
   * non-member is told what an unknown organization's caller is told (404).
   */
  private async checkMembership(
    request: FastifyRequest,
    principal: Principal,
    { parameter, id: organizationId, valid, permission }: OrganizationInPath,
    known: OrganizationRole | null | undefined,
  ): Promise<void> {
    // The pipe's own answer, before any read: a path that names no UUID names no organization.
    if (!valid) throw new RequestValidationError([{ parameter, detail: `${parameter} must be a UUID` }]);
    const role =
      known !== undefined ? known : await this.memberships.roleOf(organizationId, principal.userId);
    if (!role) throw new OrganizationNotFoundError();
    if (!mayIn(role, permission)) {
      await this.principals.refused(principal, routeOf(request));
      throw new OrganizationForbiddenError();
    }
    request.membership = { organizationId, role };
  }

  private provedRecently(principal: SessionPrincipal): boolean {
    const since = this.clock.now().getTime() - principal.authenticatedAt.getTime();
    return since <= this.auth.reauthenticationWindowSeconds * 1000;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The organization an organization-scoped route's path names, in its canonical lower case, and the
 * permission the route asks of the caller there.
 */
interface OrganizationInPath {
  parameter: string;
  id: string;
  /** Whether it is a UUID: a path that names none is the parameter's 400, after authentication. */
  valid: boolean;
  permission: OrganizationPermission;
}

function organizationInPath(request: FastifyRequest, permission: OrganizationPermission): OrganizationInPath {
  const parameters = request.params as Record<string, string | undefined>;
  const parameter = ORGANIZATION_PARAMETERS.find((each) => parameters[each] !== undefined) ?? 'id';
  const id = parameters[parameter]?.toLowerCase() ?? '';
  return { parameter, id, valid: UUID.test(id), permission };
}
/**
 * The account a route's path names under `parameter`, in lower case; undefined when the path names
 * no UUID there (the route's own pipe answers that, and nothing is read for it).
 */
function accountInPath(request: FastifyRequest, parameter: string): string | undefined {
  const id = (request.params as Record<string, string | undefined>)[parameter]?.toLowerCase() ?? '';
  return UUID.test(id) ? id : undefined;
}

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions?.url ?? ''}`;
