import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { UserRole } from '../users/entities/user.entity.js';
import type { Principal } from './principal.js';

export const IS_PUBLIC = 'auth:public';
export const ROLES = 'auth:roles';

/** Open to anyone. Every other route needs a valid access token (the guard denies by default). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only callers with one of these roles; others get a 403. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

/** The authenticated caller, as the guard found it in the database for this request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);
