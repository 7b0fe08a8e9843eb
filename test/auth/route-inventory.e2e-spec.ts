import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ACCESS_RULE, IS_PUBLIC, type AccessRule } from '../../src/access/access.decorators.js';
import { API_SCOPES, type ApiScope } from '../../src/access/api-scopes.js';
import { bearer, send } from '../support/api-client.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

/** The only operations anyone may call without a token; adding one here is a security decision. */
const PUBLIC_ROUTES = [
  'POST /api/v1/users',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  // A sign-in's second step (the mfaToken is the credential) and a passkey's sign-in (its signature is).
  'POST /api/v1/auth/login/mfa',
  'POST /api/v1/auth/passkeys/authentication/options',
  'POST /api/v1/auth/passkeys/authentication',
  // The links of account emails: the token in the body is the credential.
  'POST /api/v1/auth/verify-email',
  'POST /api/v1/auth/forgot-password',
  'POST /api/v1/auth/reset-password',
  'POST /api/v1/auth/confirm-email-change',
  // Probes and scrapers; /metrics takes METRICS_TOKEN when one is set.
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  // What other services verify access tokens with.
  'GET /.well-known/jwks.json',
  'GET /.well-known/oauth-authorization-server',
];
const UNVERSIONED = ['health', 'metrics', '.well-known'];
/**
 * Gatehouse's own operations, counted by tag: a route added or lost by accident (a decorator on the
 * wrong method, a controller left out of its module) fails here, and a deliberate one updates this.
 * The modules a team generates have tags of their own, so they are not counted.
 */
const BUILT_IN_OPERATIONS = {
  users: 9,
  auth: 20,
  mfa: 13,
  'api-keys': 6,
  organizations: 14,
  webhooks: 8,
  audit: 1,
  keys: 2,
  health: 2,
  metrics: 1,
};
/**
 * The operations API keys may call, with the scope each needs; adding one here is a security
 * decision. Nothing that changes how one signs in, or needs a session, is among them.
 */
const KEY_ROUTES: Record<string, ApiScope> = {
  'GET /api/v1/users': 'users:read',
  'GET /api/v1/users/me': 'users:read',
  'GET /api/v1/users/:id': 'users:read',
  'PATCH /api/v1/users/me': 'users:write',
  'PATCH /api/v1/users/:id': 'users:write',
  'DELETE /api/v1/users/:id': 'users:write',
  'POST /api/v1/users/:id/suspend': 'users:write',
  'POST /api/v1/users/:id/unsuspend': 'users:write',
  'DELETE /api/v1/users/:id/login-lock': 'users:write',
  'DELETE /api/v1/users/:id/sessions': 'users:write',
  'GET /api/v1/auth/sessions': 'sessions:read',
  'GET /api/v1/audit-events': 'audit:read',
  'GET /api/v1/users/me/security-events': 'audit:read',
  'POST /api/v1/organizations': 'organizations:write',
  'GET /api/v1/organizations': 'organizations:read',
  'GET /api/v1/organizations/:id': 'organizations:read',
  'PATCH /api/v1/organizations/:id': 'organizations:write',
  'GET /api/v1/organizations/:id/audit-events': 'organizations:read',
  'GET /api/v1/organizations/:id/members': 'organizations:read',
  'PATCH /api/v1/organizations/:id/members/:userId': 'organizations:write',
  'DELETE /api/v1/organizations/:id/members/:userId': 'organizations:write',
  'POST /api/v1/organizations/:id/invitations': 'organizations:write',
  'GET /api/v1/organizations/:id/invitations': 'organizations:read',
  'DELETE /api/v1/organizations/:id/invitations/:invitationId': 'organizations:write',
};
const ANY_ID = '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e';
const withIds = (url: string) => url.replace(/:\w+/g, ANY_ID);

describe('route inventory (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function routes() {
    const reflector = t.app.get(Reflector);
    const scanner = new MetadataScanner();
    const controllers = [...t.app.get(ModulesContainer).values()].flatMap((m) => [...m.controllers.values()]);
    return controllers.flatMap(({ instance, metatype }) => {
      const prototype = Object.getPrototypeOf(instance);
      const base = Reflect.getMetadata(PATH_METADATA, metatype as object) as string;
      return scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) return [];
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const prefix = UNVERSIONED.includes(base) ? '' : '/api/v1';
        const url = `${prefix}/${[base, path].filter((p) => p && p !== '/').join('/')}`;
        const isPublic =
          reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, metatype as object]) === true;
        const rule = reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
          handler,
          metatype as object,
        ]);
        return [
          { route: `${method} ${url}`, method, url, isPublic, declaresAccess: rule !== undefined, rule },
        ];
      });
    });
  }

  it('finds exactly the operations openapi.json documents, no route more or less', () => {
    const documented = Object.entries(
      JSON.parse(readFileSync(resolve('openapi.json'), 'utf8')).paths as Record<string, object>,
    ).flatMap(([url, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${url.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.length).toBeGreaterThan(0);
    expect(
      routes()
        .map((r) => r.route)
        .toSorted(),
    ).toEqual(documented.toSorted());
  });

  it('has exactly the operations Gatehouse ships, tag by tag (76)', () => {
    const paths = JSON.parse(readFileSync(resolve('openapi.json'), 'utf8')).paths as Record<
      string,
      Record<string, { tags?: string[] }>
    >;
    const counted: Record<string, number> = {};
    for (const operation of Object.values(paths).flatMap((item) => Object.values(item)))
      for (const tag of operation.tags ?? [])
        if (tag in BUILT_IN_OPERATIONS) counted[tag] = (counted[tag] ?? 0) + 1;
    expect(counted).toEqual(BUILT_IN_OPERATIONS);
    expect(Object.values(counted).reduce((a, b) => a + b)).toBe(76);
  });

  it('marks only the expected routes @Public()', () => {
    expect(
      routes()
        .filter((r) => r.isPublic)
        .map((r) => r.route)
        .toSorted(),
    ).toEqual(PUBLIC_ROUTES.toSorted());
  });

  it('has every other route declare who may call it with @Access(), which also documents it', () => {
    const undeclared = routes().filter((r) => !r.isPublic && !r.declaresAccess);
    expect(undeclared.map((r) => r.route)).toEqual([]);
    expect(routes().filter((r) => r.declaresAccess).length).toBeGreaterThan(20);
  });

  it('answers every other route with a 401 when no token is sent', async () => {
    for (const { route, method, url, isPublic } of routes()) {
      if (isPublic) continue;
      const response = await t.http.request(method, withIds(url), {
        body: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      expect({ route, status: response.status }).toEqual({ route, status: 401 });
    }
  });

  it('opens to API keys exactly the routes listed, each with its scope', () => {
    const open = Object.fromEntries(
      routes()
        .filter((r) => r.rule?.scope)
        .map((r) => [r.route, r.rule!.scope]),
    );
    expect(open).toEqual(KEY_ROUTES);
  });

  it('answers a key 403 insufficient-scope on every route but those of its scope, for each scope', async () => {
    // An admin's keys, so that no role stands between a key and a route of its scope.
    const admin = await aSignedInAdmin(t);
    for (const scope of API_SCOPES) {
      const { data } = await send(
        t.api.POST('/api/v1/auth/api-keys', {
          ...bearer(admin.tokens.accessToken),
          body: { name: scope, scopes: [scope] },
        }),
      );
      for (const { route, method, url, isPublic } of routes()) {
        if (isPublic) continue;
        const response = await t.http.request(method, withIds(url), {
          headers: { authorization: `Bearer ${data!.key}` },
          body: method === 'GET' || method === 'DELETE' ? undefined : {},
        });
        const refused = response.status === 403 && response.body?.type === '/problems/insufficient-scope';
        expect({ scope, route, refused }).toEqual({ scope, route, refused: KEY_ROUTES[route] !== scope });
      }
    }
  });
});

/** An operation shows the API keys' lock, and names a scope, exactly when KEY_ROUTES lists it. */
function keyLockHolds(
  operation: { security?: object[]; 'x-api-key-scope'?: string },
  route: string,
): boolean {
  const locked = JSON.stringify(operation.security ?? []).includes('"apiKey"');
  return locked === route in KEY_ROUTES && operation['x-api-key-scope'] === KEY_ROUTES[route];
}

describe('OpenAPI security (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the lock on every protected operation and on no public one', async () => {
    const doc = (await t.http.get('/docs-json')).body;
    const operations = Object.entries<Record<string, any>>(doc.paths).flatMap(([path, item]) =>
      Object.entries<any>(item).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        secured: JSON.stringify(operation.security ?? []).startsWith('[{"bearer":[]}'),
        metrics: path === '/metrics',
        // Keys' own lock, exactly where the operation names the scope a key needs.
        keyLock: keyLockHolds(operation, `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
        documents401: '401' in operation.responses,
      })),
    );
    // /metrics has a lock of its own (METRICS_TOKEN), checked in the metrics tests.
    for (const { route, secured, keyLock, documents401 } of operations.filter((o) => !o.metrics)) {
      const isPublic = PUBLIC_ROUTES.includes(route);
      expect({ route, secured, keyLock, documents401: documents401 || isPublic }).toEqual({
        route,
        secured: !isPublic,
        keyLock: true,
        documents401: true,
      });
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
  });
});
