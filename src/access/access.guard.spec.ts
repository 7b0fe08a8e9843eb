import { jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Clock } from '../common/clock.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { User } from '../users/entities/user.entity.js';
import { Access, Public } from './access.decorators.js';
import { RequestValidationError } from '../common/errors/domain-error.js';
import {
  ForbiddenError,
  InsufficientScopeError,
  OrganizationForbiddenError,
  OrganizationNotFoundError,
  ReauthenticationRequiredError,
  UnauthenticatedError,
} from './access.errors.js';
import { AccessGuard } from './access.guard.js';
import type { ApiScope } from './api-scopes.js';
import type { ApiKeyPrincipal, Principal, Role } from './principal.js';
import type { OrganizationRole } from './organization-roles.js';
import type { ApiKeyPrincipals, OrganizationMemberships, Principals } from './principals.js';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const USER_ID = '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e';
const principalOf = (role: Role): Principal => ({
  via: 'session',
  userId: USER_ID,
  sessionId: '5f0c6b0e-8d1a-4c3e-9a53-3c1f0a5a7d2e',
  role,
  user: { id: USER_ID, role } as User,
  authenticatedAt: new Date(NOW.getTime() - 60_000),
});

const keyOf = (role: Role, scopes: ApiScope[]): ApiKeyPrincipal => ({
  via: 'api-key',
  userId: USER_ID,
  apiKeyId: '9d7e6f5a-4b3c-4d2e-8f1a-0b9c8d7e6f5a',
  scopes,
  role,
  user: { id: USER_ID, role } as User,
});
const KEY = 'gat_aKeyOfTheRightShape';

class Routes {
  @Public()
  open() {}
  @Access()
  signedIn() {}
  @Access({ roles: ['admin'] })
  adminOnly() {}
  @Access({ recentAuthentication: true })
  weakening() {}
  @Access({ scope: 'users:read' })
  readable() {}
  @Access({ scope: 'users:write', roles: ['admin'] })
  adminWritable() {}
  @Access({ scope: 'users:read', recentAuthentication: true })
  readableRecently() {}
  @Access({ organization: 'members:invite', scope: 'organizations:write' })
  inviting() {}
  @Access({ scope: 'users:read', account: 'id' })
  readingAnAccount() {}
}
@Access({ roles: ['admin'] })
class AdminRoutes {
  everything() {}
}

/** The guard with the real Reflector and decorators, over a fake `Principals`. */
const ORGANIZATION_ID = '3f2c1b0a-9d8e-4f7a-b6c5-d4e3f2a1b0c9';

function setUp({
  principal = principalOf('user') as Principal | null,
  organizationRole = null as OrganizationRole | null,
  account = null as User | null,
} = {}) {
  const memberships = { roleOf: jest.fn(async () => organizationRole) };
  const principals = {
    authenticate: jest.fn(async () => {
      if (!principal) throw new UnauthenticatedError('The session of this access token has ended');
      return principal;
    }),
    authenticateIn: jest.fn(async (_token: string, _organizationId: string) => {
      if (!principal) throw new UnauthenticatedError('The session of this access token has ended');
      return { principal, organizationRole };
    }),
    authenticateWith: jest.fn(async (_token: string, _accountId: string) => {
      if (!principal) throw new UnauthenticatedError('The session of this access token has ended');
      return { principal, account };
    }),
    refused: jest.fn(async () => undefined),
  };
  const apiKeys = {
    recognises: (token: string) => token.startsWith('gat_'),
    authenticate: jest.fn(async () => {
      if (!principal) throw new UnauthenticatedError('This API key is not valid');
      return principal;
    }),
  };
  const guard = new AccessGuard(
    new Reflector(),
    principals as unknown as Principals,
    apiKeys as unknown as ApiKeyPrincipals,
    memberships as unknown as OrganizationMemberships,
    { now: () => NOW } as Clock,
    { reauthenticationWindowSeconds: 600 } as AuthConfig,
  );
  const check = (
    handler: keyof Routes | 'everything',
    authorization?: string,
    params: Record<string, string> = {},
  ) => {
    const request: {
      headers: Record<string, string>;
      method: string;
      routeOptions: { url: string };
      principal?: Principal;
      membership?: unknown;
      account?: unknown;
      params: Record<string, string>;
      ip: string;
    } = {
      headers: authorization === undefined ? {} : { authorization },
      method: 'GET',
      routeOptions: { url: '/api/v1/users' },
      params,
      ip: '203.0.113.7',
    };
    const cls = handler === 'everything' ? AdminRoutes : Routes;
    const context = {
      getHandler: () => (cls.prototype as unknown as Record<string, () => void>)[handler],
      getClass: () => cls,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return { result: guard.canActivate(context), request };
  };
  return { check, principals, apiKeys, memberships };
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

  it('hands a gat_ token to ApiKeyPrincipals with the address, and any other to Principals', async () => {
    const key = setUp({ principal: keyOf('user', ['users:read']) });
    await expect(key.check('readable', `Bearer ${KEY}`).result).resolves.toBe(true);
    expect(key.apiKeys.authenticate).toHaveBeenCalledWith(KEY, '203.0.113.7');
    expect(key.principals.authenticate).not.toHaveBeenCalled();
    const session = setUp();
    await expect(session.check('readable', 'Bearer the.token').result).resolves.toBe(true);
    expect(session.apiKeys.authenticate).not.toHaveBeenCalled();
  });

  it('refuses a key on a route that names no scope or another, recording the refusal, and names the scope', async () => {
    const reader = keyOf('admin', ['users:read']);
    for (const route of ['signedIn', 'adminOnly', 'weakening', 'adminWritable'] as const) {
      const { check, principals } = setUp({ principal: reader });
      const refused = check(route, `Bearer ${KEY}`).result;
      await expect(refused).rejects.toThrow(InsufficientScopeError);
      expect(principals.refused).toHaveBeenCalledWith(reader, 'GET /api/v1/users');
    }
    const { check } = setUp({ principal: reader });
    await expect(check('adminWritable', `Bearer ${KEY}`).result).rejects.toMatchObject({
      challenge: 'Bearer error="insufficient_scope", scope="users:write"',
    });
    await expect(
      setUp({ principal: reader }).check('signedIn', `Bearer ${KEY}`).result,
    ).rejects.toMatchObject({
      challenge: 'Bearer error="insufficient_scope"',
    });
  });

  it("holds a key with the scope to its owner's role of the moment", async () => {
    const demoted = setUp({ principal: keyOf('user', ['users:write']) });
    await expect(demoted.check('adminWritable', `Bearer ${KEY}`).result).rejects.toThrow(ForbiddenError);
    const admin = setUp({ principal: keyOf('admin', ['users:write']) });
    await expect(admin.check('adminWritable', `Bearer ${KEY}`).result).resolves.toBe(true);
  });

  it('refuses a key where a recent sign-in is needed, even with the scope: a key proves nothing recent', async () => {
    const { check } = setUp({ principal: keyOf('user', ['users:read']) });
    await expect(check('readableRecently', `Bearer ${KEY}`).result).rejects.toThrow(
      ReauthenticationRequiredError,
    );
    await expect(setUp().check('readableRecently', 'Bearer t').result).resolves.toBe(true);
  });

  describe('organization-scoped routes', () => {
    const inOrganization = { id: ORGANIZATION_ID.toUpperCase() };

    it('lets a member whose role grants the permission through, with the membership on the request', async () => {
      for (const role of ['owner', 'admin'] as const) {
        const { check, principals, memberships } = setUp({ organizationRole: role });
        const { result, request } = check('inviting', 'Bearer the.token', inOrganization);
        await expect(result).resolves.toBe(true);
        // The id as the path gave it, in its canonical lower case, read with the session.
        expect(principals.authenticateIn).toHaveBeenCalledWith('the.token', ORGANIZATION_ID);
        expect(principals.authenticate).not.toHaveBeenCalled();
        expect(memberships.roleOf).not.toHaveBeenCalled();
        expect(request.membership).toEqual({ organizationId: ORGANIZATION_ID, role });
      }
    });

    it('authenticates first: an ended session is a 401 whatever the path names', async () => {
      for (const params of [inOrganization, { id: 'acme' }]) {
        const { check } = setUp({ principal: null, organizationRole: 'owner' });
        await expect(check('inviting', 'Bearer the.token', params).result).rejects.toThrow(
          UnauthenticatedError,
        );
      }
    });

    it('tells a non-member what it tells about an unknown organization (404), and records nothing', async () => {
      const { check, principals } = setUp({ organizationRole: null });
      await expect(check('inviting', 'Bearer the.token', inOrganization).result).rejects.toThrow(
        OrganizationNotFoundError,
      );
      expect(principals.refused).not.toHaveBeenCalled();
    });

    it('refuses a member whose role lacks the permission (403), and records the refusal', async () => {
      const { check, principals } = setUp({ organizationRole: 'member' });
      const { result, request } = check('inviting', 'Bearer the.token', inOrganization);
      await expect(result).rejects.toThrow(OrganizationForbiddenError);
      expect(principals.refused).toHaveBeenCalledWith(principalOf('user'), 'GET /api/v1/users');
      expect(request.membership).toBeUndefined();
    });

    it('answers a path without a UUID with the 400 of the parameter, reading no membership', async () => {
      const { check, principals, memberships } = setUp({ organizationRole: 'owner' });
      const refused = check('inviting', 'Bearer the.token', { organizationId: 'acme', id: ORGANIZATION_ID });
      await expect(refused.result).rejects.toThrow(RequestValidationError);
      await expect(refused.result).rejects.toMatchObject({
        errors: [{ parameter: 'organizationId', detail: 'organizationId must be a UUID' }],
      });
      expect(principals.authenticateIn).not.toHaveBeenCalled();
      expect(principals.authenticate).toHaveBeenCalledWith('the.token');
      expect(memberships.roleOf).not.toHaveBeenCalled();
    });

    it('checks a key for its scope before the membership', async () => {
      const { check, memberships } = setUp({
        principal: keyOf('user', ['organizations:read']),
        organizationRole: 'owner',
      });
      await expect(check('inviting', `Bearer ${KEY}`, inOrganization).result).rejects.toThrow(
        InsufficientScopeError,
      );
      expect(memberships.roleOf).not.toHaveBeenCalled();
      const allowed = setUp({ principal: keyOf('user', ['organizations:write']), organizationRole: 'admin' });
      await expect(allowed.check('inviting', `Bearer ${KEY}`, inOrganization).result).resolves.toBe(true);
      // A key's membership is asked of the organizations module, after its scope.
      expect(allowed.memberships.roleOf).toHaveBeenCalledWith(ORGANIZATION_ID, USER_ID);
      expect(allowed.principals.authenticateIn).not.toHaveBeenCalled();
    });
  });

  describe('routes that name an account', () => {
    const ACCOUNT = { id: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', role: 'user' } as User;

    it("reads the account the path names with a session's principal, in its lower case, for the route", async () => {
      for (const account of [ACCOUNT, null]) {
        const { check, principals } = setUp({ principal: principalOf('admin'), account });
        const { result, request } = check('readingAnAccount', 'Bearer the.token', {
          id: ACCOUNT.id.toUpperCase(),
        });
        await expect(result).resolves.toBe(true);
        expect(principals.authenticateWith).toHaveBeenCalledWith('the.token', ACCOUNT.id);
        expect(principals.authenticate).not.toHaveBeenCalled();
        expect(request.principal).toEqual(principalOf('admin'));
        expect(request.account).toBe(account);
      }
    });

    it('reads nothing beside the principal when the path names no UUID, or the route names no account', async () => {
      const { check, principals } = setUp({ account: ACCOUNT });
      const odd = check('readingAnAccount', 'Bearer the.token', { id: 'me' });
      await expect(odd.result).resolves.toBe(true);
      const none = check('readingAnAccount', 'Bearer the.token', {});
      await expect(none.result).resolves.toBe(true);
      const other = check('readable', 'Bearer the.token', { id: ACCOUNT.id });
      await expect(other.result).resolves.toBe(true);
      // Nothing was read, so the request carries no account at all: the route reads it itself.
      for (const { request } of [odd, none, other]) expect(request).not.toHaveProperty('account');
      expect(principals.authenticateWith).not.toHaveBeenCalled();
      expect(principals.authenticate).toHaveBeenCalledTimes(3);
    });

    it('leaves the account to the route on a key, and a 401 is a 401 whatever the path names', async () => {
      const { check, principals, apiKeys } = setUp({
        principal: keyOf('user', ['users:read']),
        account: ACCOUNT,
      });
      const { result, request } = check('readingAnAccount', `Bearer ${KEY}`, { id: ACCOUNT.id });
      await expect(result).resolves.toBe(true);
      expect(apiKeys.authenticate).toHaveBeenCalled();
      expect(principals.authenticateWith).not.toHaveBeenCalled();
      expect(request).not.toHaveProperty('account');

      const ended = setUp({ principal: null, account: ACCOUNT });
      await expect(
        ended.check('readingAnAccount', 'Bearer the.token', { id: ACCOUNT.id }).result,
      ).rejects.toThrow(UnauthenticatedError);
    });
  });
});
