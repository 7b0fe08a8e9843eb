import { jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Clock } from '../common/clock.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { User } from '../users/entities/user.entity.js';
import { Access, Public } from './access.decorators.js';
import { ForbiddenError, ReauthenticationRequiredError, UnauthenticatedError } from './access.errors.js';
import { AccessGuard } from './access.guard.js';
import type { Principal, Role } from './principal.js';
import type { Principals } from './principals.js';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const USER_ID = '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e';
const principalOf = (role: Role): Principal => ({
  userId: USER_ID,
  sessionId: '5f0c6b0e-8d1a-4c3e-9a53-3c1f0a5a7d2e',
  role,
  user: { id: USER_ID, role } as User,
  authenticatedAt: new Date(NOW.getTime() - 60_000),
});

class Routes {
  @Public()
  open() {}
  @Access()
  signedIn() {}
  @Access({ roles: ['admin'] })
  adminOnly() {}
  @Access({ recentAuthentication: true })
  weakening() {}
}
@Access({ roles: ['admin'] })
class AdminRoutes {
  everything() {}
}

/** The guard with the real Reflector and decorators, over a fake `Principals`. */
function setUp({ principal = principalOf('user') as Principal | null } = {}) {
  const principals = {
    authenticate: jest.fn(async () => {
      if (!principal) throw new UnauthenticatedError('The session of this access token has ended');
      return principal;
    }),
    refused: jest.fn(async () => undefined),
  };
  const guard = new AccessGuard(
    new Reflector(),
    principals as unknown as Principals,
    { now: () => NOW } as Clock,
    { reauthenticationWindowSeconds: 600 } as AuthConfig,
  );
  const check = (handler: keyof Routes | 'everything', authorization?: string) => {
    const request: {
      headers: Record<string, string>;
      method: string;
      routeOptions: { url: string };
      principal?: Principal;
    } = {
      headers: authorization === undefined ? {} : { authorization },
      method: 'GET',
      routeOptions: { url: '/api/v1/users' },
    };
    const cls = handler === 'everything' ? AdminRoutes : Routes;
    const context = {
      getHandler: () => (cls.prototype as unknown as Record<string, () => void>)[handler],
      getClass: () => cls,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return { result: guard.canActivate(context), request };
  };
  return { check, principals };
}

describe('AccessGuard', () => {
  it('lets anyone through a @Public() route, reading no token', async () => {
    const { check, principals } = setUp();
    await expect(check('open').result).resolves.toBe(true);
    expect(principals.authenticate).not.toHaveBeenCalled();
  });

  it('asks for a token, without an error code, when none was sent or the header is not Bearer', async () => {
    for (const authorization of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearertoken']) {
      const { check, principals } = setUp();
      const refused = check('signedIn', authorization).result;
      await expect(refused).rejects.toThrow(UnauthenticatedError);
      await expect(refused).rejects.toMatchObject({ challenge: 'Bearer' });
      expect(principals.authenticate).not.toHaveBeenCalled();
    }
  });

  it('asks Principals for the caller of the token, puts it on the request, and refuses when there is none', async () => {
    const live = setUp();
    const { result, request } = live.check('signedIn', 'bearer  the.token');
    await expect(result).resolves.toBe(true);
    expect(live.principals.authenticate).toHaveBeenCalledWith('the.token');
    expect(request.principal).toEqual(principalOf('user'));

    const ended = setUp({ principal: null });
    const refused = ended.check('signedIn', 'Bearer the.token');
    await expect(refused.result).rejects.toThrow(/session of this access token has ended/);
    expect(refused.request.principal).toBeUndefined();
  });

  it('lets only the roles a route names through, on the method or its class, the role read now', async () => {
    const refused = setUp();
    await expect(refused.check('adminOnly', 'Bearer t').result).rejects.toThrow(ForbiddenError);
    expect(refused.principals.refused).toHaveBeenCalledWith(principalOf('user'), 'GET /api/v1/users');
    await expect(setUp().check('everything', 'Bearer t').result).rejects.toThrow(ForbiddenError);
    const admin = { principal: principalOf('admin') };
    await expect(setUp(admin).check('adminOnly', 'Bearer t').result).resolves.toBe(true);
    await expect(setUp(admin).check('everything', 'Bearer t').result).resolves.toBe(true);
    await expect(setUp(admin).check('signedIn', 'Bearer t').result).resolves.toBe(true);
  });

  it('lets a session through a route that needs a recent sign-in only within the window, at its edge included', async () => {
    const at = (secondsAgo: number) => ({
      principal: { ...principalOf('user'), authenticatedAt: new Date(NOW.getTime() - secondsAgo * 1000) },
    });
    await expect(setUp(at(600)).check('weakening', 'Bearer t').result).resolves.toBe(true);
    const stale = setUp(at(601)).check('weakening', 'Bearer t').result;
    await expect(stale).rejects.toThrow(ReauthenticationRequiredError);
    await expect(setUp(at(3600)).check('signedIn', 'Bearer t').result).resolves.toBe(true);
  });
});
