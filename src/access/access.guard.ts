import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Clock } from '../common/clock.js';
import { bearerToken } from '../common/http/bearer-token.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { ACCESS_RULE, IS_PUBLIC, type AccessRule } from './access.decorators.js';
import {
  ForbiddenError,
  InsufficientScopeError,
  ReauthenticationRequiredError,
  UnauthenticatedError,
} from './access.errors.js';
import type { SessionPrincipal } from './principal.js';
import { ApiKeyPrincipals, Principals } from './principals.js';

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
    const principal = this.apiKeys.recognises(token)
      ? await this.apiKeys.authenticate(token, request.ip)
      : await this.principals.authenticate(token);
    request.principal = principal;

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
    if (rule.recentAuthentication && (principal.via !== 'session' || !this.provedRecently(principal))) {
      throw new ReauthenticationRequiredError(this.auth.reauthenticationWindowSeconds);
    }
    return true;
  }

  private provedRecently(principal: SessionPrincipal): boolean {
    const since = this.clock.now().getTime() - principal.authenticatedAt.getTime();
    return since <= this.auth.reauthenticationWindowSeconds * 1000;
  }
}

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions?.url ?? ''}`;
