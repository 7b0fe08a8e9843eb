import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { UserAdministration } from '../../src/users/user-administration.service.js';
import { databaseUrl, onServer, TEMPLATE_DATABASE } from './databases.js';
import { aSignedInUser, aUser, login } from './factories.js';
import { apiClient, type ApiClient } from './api-client.js';
import { HttpClient } from './http-client.js';

export interface TestApp {
  app: NestFastifyApplication;
  /** The typed client generated from openapi.json. */
  api: ApiClient;
  /** Raw HTTP, for requests no well-behaved client would send. */
  http: HttpClient;
  /** The app's own DataSource, for checking what a request left in the database. */
  db: DataSource;
  /** The database URL of this app, for processes started beside it (the CLI). */
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * The app as `main.ts` builds it, listening on a free port, on a database of its own cloned from
 * the migrated template (dropped again by `close`). `port`: a known one (a relying party's origin
 * must be known before the app starts), else any free one.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  shared?: { databaseUrl: string },
  { port = 0 } = {},
): Promise<TestApp> {
  // Another instance on the database of an app already started, or a database of its own.
  const database = shared ? undefined : `gatehouse_test_${randomBytes(6).toString('hex')}`;
  if (database) await onServer((c) => c.query(`CREATE DATABASE ${database} TEMPLATE ${TEMPLATE_DATABASE}`));
  const url = shared?.databaseUrl ?? databaseUrl(process.env.TEST_SERVER_URL!, database!);
  const settings = { ...poolerSettings(url), ...env };
  // The app reads its configuration at boot; what this one was given is undone when it closes.
  const previous = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  Object.assign(process.env, settings);
  const app = await createApp();
  await app.listen({ port, host: '127.0.0.1' });
  const baseUrl = await app.getUrl();
  return {
    app,
    api: apiClient(baseUrl),
    http: new HttpClient(baseUrl),
    db: app.get(DataSource),
    databaseUrl: url,
    close: async () => {
      await app.close();
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      if (database) await onServer((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    },
  };
}

/**
 * With TEST_POOLER_URL (a PgBouncer in transaction mode that global-setup started), the app reaches
 * its database through the pooler, as docs/operations.md says to run it there; otherwise directly.
 */
function poolerSettings(url: string): Record<string, string> {
  const pooler = process.env.TEST_POOLER_URL;
  if (!pooler || !url.startsWith(process.env.TEST_SERVER_URL!.replace(/\/[^/]*$/, '/')))
    return { DATABASE_URL: url };
  const database = new URL(url).pathname.slice(1);
  return {
    DATABASE_URL: databaseUrl(pooler, database),
    DATABASE_DIRECT_URL: url,
    DATABASE_PREPARED_STATEMENTS: 'false',
  };
}

/** An admin with a live session, made the way the CLI makes one. */
export async function aSignedInAdmin(t: TestApp) {
  const body = aUser({ name: 'Admin' });
  const { user } = await t.app.get(UserAdministration).createAdmin(body);
  return { user, tokens: await login(t.api, body.email, body.password) };
}

/**
 * A signed-in user whose address counts as verified, as after following the verification link
 * (set in the database: the mail round trip is account-emails' tests' subject, not every test's).
 */
export async function aVerifiedUser(t: TestApp, overrides: Parameters<typeof aUser>[0] = {}) {
  const signedIn = await aSignedInUser(t.api, overrides);
  await markVerified(t, signedIn.user.id);
  return signedIn;
}

export async function markVerified(t: TestApp, userId: string): Promise<void> {
  await t.db.query('UPDATE users SET email_verified = true WHERE id = $1', [userId]);
}
