import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { GatehousePrincipal } from './principal.js';

export const IS_PUBLIC = 'gatehouse:public';
export const REQUIRED_ROLES = 'gatehouse:roles';
/** Where the guard leaves the verified caller on the request. */
export const PRINCIPAL = Symbol('gatehouse:principal');

/** A route (or controller) that needs no token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** A route (or controller) that needs one of these roles in the token's `roles`; else 403. */
export const Roles = (...roles: string[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The verified caller of a guarded route. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): GatehousePrincipal =>
    context.switchToHttp().getRequest<Record<symbol, GatehousePrincipal>>()[PRINCIPAL]!,
);
