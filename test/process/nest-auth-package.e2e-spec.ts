import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createSecretKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { SigningKeys } from '../../src/keys/signing-keys.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { aSignedInUser } from '../support/factories.js';
import { compileConsumer, pack } from '../support/packages.js';
import { currentSigningKey } from '../support/signing-keys.js';

const run = promisify(execFile);
const PACKAGE = resolve('clients/nest-auth');

/** A resource server a team writes with the package: a guarded route, an admin one, a public one. */
const CONSUMER = `
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { CurrentPrincipal, GatehouseAuthModule, Public, Roles, type GatehousePrincipal } from '@gatehouse/nest-auth';

declare const process: { env: Record<string, string> };

@Controller()
class OrdersController {
  @Get('whoami')
  whoami(@CurrentPrincipal() caller: GatehousePrincipal) {
    return { userId: caller.userId, sessionId: caller.sessionId, roles: caller.roles, clientId: caller.clientId };
  }

  @Get('admin')
  @Roles('admin')
  admin() {
    return { admin: true };
  }

  @Get('open')
  @Public()
  open() {
    return { open: true };
  }
}

@Module({
  imports: [
    GatehouseAuthModule.forRoot({
      issuer: process.env.ISSUER,
      audience: process.env.AUDIENCE,
      jwksUri: process.env.JWKS_URI,
      // No wait between fetches of the key set, so that the test needs no sleep (the default is 30 s).
      jwksCooldownMs: 0,
    }),
  ],
  controllers: [OrdersController],
})
class AppModule {}

const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
await app.listen(0, '127.0.0.1');
console.log(await app.getUrl());
`;

/**
 * `npm pack` of clients/nest-auth, installed with its dependency (jose, packed from this checkout:
 * no registry) into a scratch project, and a resource server built on it, compiled and started as
 * its own process. The scratch project lives under `.data/`, so that its NestJS (a peer the
 * consumer brings) resolves to this checkout's.
 */
describe('@gatehouse/nest-auth as a package (e2e)', () => {
  let t: TestApp;
  let scratch: string;
  let server: ChildProcess;
  let base: string;
  const made = { files: [] as string[], installed: '', compiled: '' };
  beforeAll(async () => {
    t = await startTestApp();
    scratch = resolve('.data', `nest-auth-consumer-${randomUUID().slice(0, 8)}`);
    await mkdir(scratch, { recursive: true });
    const packed = await pack(PACKAGE, scratch);
    made.files = packed.files;
    const jose = await pack(resolve('node_modules/jose'), scratch);
    await writeFile(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    await run(
      'npm',
      ['install', packed.tarball, jose.tarball, '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund'],
      { cwd: scratch, timeout: 120_000 },
    );
    const installed = JSON.parse(
      await readFile(join(scratch, 'node_modules/@gatehouse/nest-auth/package.json'), 'utf8'),
    );
    made.installed = installed.name;
    made.compiled = await compileConsumer(scratch, CONSUMER, {
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
    });
    const gatehouse = await t.app.getUrl();
    server = spawn(process.execPath, [join(scratch, 'out/consumer.js')], {
      env: {
        ...process.env,
        ISSUER: 'gatehouse',
        AUDIENCE: 'gatehouse-api',
        JWKS_URI: `${gatehouse}/.well-known/jwks.json`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: server.stdout! }), 'line')) as [string];
    base = line.trim();
  }, 240_000);
  afterAll(async () => {
    server?.kill('SIGTERM');
    await t.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const call = async (path: string, token?: string) => {
    const response = await fetch(`${base}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return {
      status: response.status,
      body: await response.json(),
      challenge: response.headers.get('www-authenticate'),
    };
  };
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

  it('packs its build and README only, installs without a registry, and compiles a consumer against its types', () => {
    expect(made.files.filter((path) => !path.endsWith('.d.ts')).toSorted()).toEqual(
      [
        'README.md',
        'dist/decorators.js',
        'dist/gatehouse-auth.guard.js',
        'dist/gatehouse-auth.module.js',
        'dist/index.js',
        'dist/options.js',
        'dist/principal.js',
        'dist/token-verifier.js',
        'package.json',
      ].toSorted(),
    );
    expect(made.installed).toBe('@gatehouse/nest-auth');
    expect(made.compiled).toBe('');
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("accepts Gatehouse's tokens, with the caller and its roles, and enforces @Roles and @Public", async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const whoami = await call('/whoami', tokens.accessToken);
    expect(whoami).toMatchObject({
      status: 200,
      body: {
        userId: user.id,
        sessionId: claimsOf(tokens.accessToken).sid,
        roles: ['user'],
        clientId: 'gatehouse',
      },
    });
    expect((await call('/admin', tokens.accessToken)).status).toBe(403);
    const admin = await aSignedInAdmin(t);
    expect(await call('/admin', admin.tokens.accessToken)).toMatchObject({
      status: 200,
      body: { admin: true },
    });
    expect(await call('/open')).toMatchObject({ status: 200, body: { open: true } });
    expect(await call('/whoami')).toMatchObject({ status: 401, challenge: 'Bearer' });
  });

  it('refuses a token signed by another key, alg none, HS256 keyed with the public key, another issuer or audience, and an expired one', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const claims = claimsOf(tokens.accessToken);
    const real = await currentSigningKey(t);
    const { keys } = (await (await fetch(`${await t.app.getUrl()}/.well-known/jwks.json`)).json()) as {
      keys: { x: string }[];
    };
    const { x } = keys[0]!;
    const own = generateKeyPairSync('ed25519').privateKey;
    const now = Math.floor(Date.now() / 1000);
    const sign = (
      key: Parameters<SignJWT['sign']>[0],
      header: { alg: string; kid: string; typ?: string },
      changes: object = {},
    ) => new SignJWT({ ...claims, ...changes }).setProtectedHeader({ typ: 'at+jwt', ...header }).sign(key);
    const forged = [
      await sign(own, { alg: 'EdDSA', kid: real.kid }),
      await sign(createSecretKey(Buffer.from(x)), { alg: 'HS256', kid: real.kid }),
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: real.kid })).toString('base64url')}.${tokens.accessToken.split('.')[1]}.`,
      await sign(real.key, { alg: real.alg, kid: real.kid }, { iss: 'https://elsewhere.example' }),
      await sign(real.key, { alg: real.alg, kid: real.kid }, { aud: 'another-api' }),
      await sign(real.key, { alg: real.alg, kid: real.kid }, { iat: now - 1000, exp: now - 31 }),
      await sign(real.key, { alg: real.alg, kid: real.kid, typ: 'JWT' }),
    ];
    // The real key with the real claims passes: each refusal is for what it changed.
    expect((await call('/whoami', await sign(real.key, { alg: real.alg, kid: real.kid }))).status).toBe(200);
    for (const token of forged)
      expect(await call('/whoami', token)).toMatchObject({
        status: 401,
        challenge: 'Bearer error="invalid_token"',
      });
  });

  it('fetches the key set again for a kid it does not hold: a key it never saw verifies, a made-up kid does not', async () => {
    // Two forced rotations: the key that signs now was published after the consumer last fetched.
    await t.app.get(SigningKeys).rotate({ force: true });
    await t.app.get(SigningKeys).rotate({ force: true });
    const { user, tokens } = await aSignedInUser(t.api);
    expect(await call('/whoami', tokens.accessToken)).toMatchObject({
      status: 200,
      body: { userId: user.id },
    });
    const own = generateKeyPairSync('ed25519').privateKey;
    const unknown = await new SignJWT(claimsOf(tokens.accessToken))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'a-kid-nobody-published' })
      .sign(own);
    expect((await call('/whoami', unknown)).status).toBe(401);
  });
});
