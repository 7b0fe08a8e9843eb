import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiProblems, REAUTHENTICATION_REQUIRED } from '../common/swagger/api-problems.decorator.js';
import type { UserRole } from '../users/entities/user.entity.js';
import type { Principal } from './principal.js';

export const IS_PUBLIC = 'auth:public';
export const ROLES = 'auth:roles';
export const RECENT_AUTHENTICATION = 'auth:recent-authentication';

/** Open to anyone. Every other route needs a valid access token (the guard denies by default). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only callers with one of these roles; others get a 403. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

/**
 * Only for a session whose holder proved who they are within AUTH_REAUTHENTICATION_WINDOW (its
 * sign-in, or `POST /auth/reauthenticate`); others get a 403 `reauthentication-required`, which this
 * documents. For what weakens the account: deleting it, changing its passkeys (I2).
 */
export const RequiresRecentAuthentication = () =>
  applyDecorators(SetMetadata(RECENT_AUTHENTICATION, true), ApiProblems(REAUTHENTICATION_REQUIRED));

/** The authenticated caller, as the guard found it in the database for this request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);
