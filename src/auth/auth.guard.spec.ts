import { jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import type { User } from '../users/entities/user.entity.js';
import type { AccessTokens } from './access-tokens.js';
import type { AuthConfig } from '../config/auth.config.js';
import { Public, RequiresRecentAuthentication, Roles } from './auth.decorators.js';
import { ForbiddenError, ReauthenticationRequiredError, UnauthenticatedError } from './auth.errors.js';
import { AuthGuard } from './auth.guard.js';
import type { Principal } from './principal.js';
import type { SessionsRepository } from './sessions.repository.js';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const CLAIMS = { sub: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e', sid: '5f0c6b0e-8d1a-4c3e-9a53-3c1f0a5a7d2e' };
const principalOf = (role: User['role']): Principal => ({
  userId: CLAIMS.sub,
  sessionId: CLAIMS.sid,
  role,
  user: { id: CLAIMS.sub, role } as User,
  authenticatedAt: new Date(NOW.getTime() - 60_000),
});

class Routes {
  @Public()
  open() {}
  signedIn() {}
  @Roles('admin')
  adminOnly() {}
  @RequiresRecentAuthentication()
  weakening() {}
}
@Roles('admin')
class AdminRoutes {
  everything() {}
}

/** The guard with the real Reflector and decorators, over a fake token verifier and session store. */
function setUp({ principal = principalOf('user') as Principal | null, verify = () => CLAIMS } = {}) {
  const accessTokens = { verify: jest.fn(verify) };
  const sessions = { findPrincipal: jest.fn(async () => principal) };
  const audit = { record: jest.fn(async () => undefined) };
  const guard = new AuthGuard(
    new Reflector(),
    accessTokens as unknown as AccessTokens,
    sessions as unknown as SessionsRepository,
    { now: () => NOW } as Clock,
    { reauthenticationWindowSeconds: 600 } as AuthConfig,
    audit as unknown as AuditLog,
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
  return { check, accessTokens, sessions, audit };
}

describe('AuthGuard', () => {
  it('lets anyone through a @Public() route, reading no token', async () => {
    const { check, accessTokens } = setUp();
    await expect(check('open').result).resolves.toBe(true);
    expect(accessTokens.verify).not.toHaveBeenCalled();
  });

  it('asks for a token, without an error code, when none was sent or the header is not Bearer', async () => {
    for (const authorization of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearertoken']) {
      const { check, accessTokens } = setUp();
      const refused = check('signedIn', authorization).result;
      await expect(refused).rejects.toThrow(UnauthenticatedError);
      await expect(refused).rejects.toMatchObject({ challenge: 'Bearer' });
      expect(accessTokens.verify).not.toHaveBeenCalled();
    }
  });

  it('refuses a token the verifier refuses, before any query', async () => {
    const { check, sessions } = setUp({
      verify: () => {
        throw new UnauthenticatedError('The access token is not valid');
      },
    });
    const refused = check('signedIn', 'Bearer a.b.c').result;
    await expect(refused).rejects.toMatchObject({ challenge: 'Bearer error="invalid_token"' });
    expect(sessions.findPrincipal).not.toHaveBeenCalled();
  });

  it('reads the session of the token at the clock’s time, and refuses one that has ended', async () => {
    const live = setUp();
    const { result, request } = live.check('signedIn', 'bearer  the.token');
    await expect(result).resolves.toBe(true);
    expect(live.accessTokens.verify).toHaveBeenCalledWith('the.token');
    expect(live.sessions.findPrincipal).toHaveBeenCalledWith(CLAIMS.sid, CLAIMS.sub, NOW);
    expect(request.principal).toEqual(principalOf('user'));

    const ended = setUp({ principal: null });
    const refused = ended.check('signedIn', 'Bearer the.token').result;
    await expect(refused).rejects.toThrow(/session of this access token has ended/);
    await expect(refused).rejects.toMatchObject({ challenge: 'Bearer error="invalid_token"' });
  });

  it('lets only the roles a route names through, on the method or its class, the role read now', async () => {
    const refused = setUp();
    await expect(refused.check('adminOnly', 'Bearer t').result).rejects.toThrow(ForbiddenError);
    expect(refused.audit.record).toHaveBeenCalledWith({
      type: 'access.denied',
      subjectUserId: CLAIMS.sub,
      details: { route: 'GET /api/v1/users' },
    });
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
