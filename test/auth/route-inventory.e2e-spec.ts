import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ACCESS_RULE, IS_PUBLIC } from '../../src/access/access.decorators.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

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
const BUILT_IN_OPERATIONS = { users: 9, auth: 19, mfa: 13, audit: 1, keys: 2, health: 2, metrics: 1 };

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
        const declaresAccess =
          reflector.getAllAndOverride(ACCESS_RULE, [handler, metatype as object]) !== undefined;
        return [{ route: `${method} ${url}`, method, url, isPublic, declaresAccess }];
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

  it('has exactly the operations Gatehouse ships, tag by tag (47)', () => {
    const paths = JSON.parse(readFileSync(resolve('openapi.json'), 'utf8')).paths as Record<
      string,
      Record<string, { tags?: string[] }>
    >;
    const counted: Record<string, number> = {};
    for (const operation of Object.values(paths).flatMap((item) => Object.values(item)))
      for (const tag of operation.tags ?? [])
        if (tag in BUILT_IN_OPERATIONS) counted[tag] = (counted[tag] ?? 0) + 1;
    expect(counted).toEqual(BUILT_IN_OPERATIONS);
    expect(Object.values(counted).reduce((a, b) => a + b)).toBe(47);
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
      const response = await t.http.request(
        method,
        url.replace(':id', '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e'),
        {
          body: method === 'GET' || method === 'DELETE' ? undefined : {},
        },
      );
      expect({ route, status: response.status }).toEqual({ route, status: 401 });
    }
  });
});

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
        secured: JSON.stringify(operation.security ?? []) === JSON.stringify([{ bearer: [] }]),
        metrics: path === '/metrics',
        documents401: '401' in operation.responses,
      })),
    );
    // /metrics has a lock of its own (METRICS_TOKEN), checked in the metrics tests.
    for (const { route, secured, documents401 } of operations.filter((o) => !o.metrics)) {
      const isPublic = PUBLIC_ROUTES.includes(route);
      expect({ route, secured, documents401: documents401 || isPublic }).toEqual({
        route,
        secured: !isPublic,
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
