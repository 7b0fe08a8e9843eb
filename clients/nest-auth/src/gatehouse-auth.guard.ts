import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, PRINCIPAL, REQUIRED_ROLES } from './decorators.js';
import type { GatehousePrincipal } from './principal.js';
import { TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

type HttpRequest = { headers: Record<string, string | string[] | undefined> } & Record<
  symbol,
  GatehousePrincipal
>;
/** Express's response and Fastify's reply both set a header, by different names. */
type HttpResponse = {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
};

/**
 * Every route needs a valid Gatehouse access token unless `@Public()`, and one of `@Roles(...)`
 * when it names some: a 401 with `WWW-Authenticate: Bearer` (RFC 6750) without a valid token, a
 * 403 with one whose roles do not match.
 */
@Injectable()
export class GatehouseAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const token = BEARER.exec(String(request.headers.authorization ?? ''))?.[1];
    if (!token)
      throw this.unauthenticated(http.getResponse<HttpResponse>(), 'A Bearer access token is required.');
    let principal: GatehousePrincipal;
    try {
      principal = await this.verifier.verify(token);
    } catch {
      throw this.unauthenticated(
        http.getResponse<HttpResponse>(),
        'The access token is not valid: it is malformed, expired or not Gatehouse’s.',
        'invalid_token',
      );
    }
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets);
    if (roles?.length && !roles.some((role) => principal.roles.includes(role)))
      throw new ForbiddenException(`This needs one of the roles: ${roles.join(', ')}.`);
    request[PRINCIPAL] = principal;
    return true;
  }

  private unauthenticated(response: HttpResponse, message: string, error?: string): UnauthorizedException {
    const challenge = error ? `Bearer error="${error}"` : 'Bearer';
    if (response.header) response.header('WWW-Authenticate', challenge);
    else response.setHeader?.('WWW-Authenticate', challenge);
    return new UnauthorizedException(message);
  }
}
