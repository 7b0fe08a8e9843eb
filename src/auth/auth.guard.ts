import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuditLog } from '../audit/audit-log.js';
import { ROUTE_MAX_LENGTH } from '../audit/audit-event-types.js';
import { Clock } from '../common/clock.js';
import { bearerToken } from '../common/http/bearer-token.js';
import type { UserRole } from '../users/entities/user.entity.js';
import { AccessTokens } from './access-tokens.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { IS_PUBLIC, RECENT_AUTHENTICATION, ROLES } from './auth.decorators.js';
import { ForbiddenError, ReauthenticationRequiredError, UnauthenticatedError } from './auth.errors.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * The global guard: every route needs a valid access token whose session is still alive, unless it
 * is marked `@Public()`. The role comes from the database, not the token, so a role change or a
 * deletion applies to tokens already issued [ASVS 7.4.1, 8.3.2].
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accessTokens: AccessTokens,
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly audit: AuditLog,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthenticatedError(undefined, { tokenPresented: false });
    const claims = this.accessTokens.verify(token);
    const principal = await this.sessions.findPrincipal(claims.sid, claims.sub, this.clock.now());
    if (!principal)
      throw new UnauthenticatedError('The session of this access token has ended: sign in again.');
    request.principal = principal;

    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(principal.role)) {
      // A signed-in user probing what their role may not do is worth an admin's look (I6).
      const route = `${request.method} ${request.routeOptions?.url ?? ''}`.slice(0, ROUTE_MAX_LENGTH);
      await this.audit.record({ type: 'access.denied', subjectUserId: principal.userId, details: { route } });
      throw new ForbiddenError();
    }
    if (this.reflector.getAllAndOverride<boolean>(RECENT_AUTHENTICATION, targets)) {
      const window = this.auth.reauthenticationWindowSeconds;
      const since = this.clock.now().getTime() - principal.authenticatedAt.getTime();
      if (since > window * 1000) throw new ReauthenticationRequiredError(window);
    }
    return true;
  }
}
