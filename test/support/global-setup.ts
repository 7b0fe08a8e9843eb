import './resolve-ts-sources.cjs';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';

/**
 * Once per run: a PostgreSQL server (DATABASE_URL's, or an embedded one in .data/test), and in it a
 * template database with every migration applied; with TEST_THROUGH_PGBOUNCER=true, a PgBouncer
 * in front of it. Each test file clones it (see test-app.ts). A redis-server of the run's own when
 * one is on PATH (test/support/redis.ts).
 */
export default async function globalSetup(): Promise<void> {
  // Jest loads this file with Node's own TypeScript support (types erased, nothing else), so what it
  // imports from the project is imported here, after resolve-ts-sources has taught Node to find it.
  const { startEmbeddedPostgres } = await import('../../dev/embedded-postgres.js');
  const { runMigrationsLocked } = await import('../../src/migrations/migrate.js');
  const { databaseUrl, TEMPLATE_DATABASE } = await import('./databases.js');
  const { freePort } = await import('./free-port.js');
  const { migrations } = await import('../../migrations/index.js');

  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // Any free port: two checkouts (or a test run beside CI) may test at the same time.
    const embedded = await startEmbeddedPostgres({
      dataDir: path.resolve('.data/test'),
      port: await freePort(),
    });
    serverUrl = embedded.url;
    (globalThis as { stopEmbeddedPostgres?: () => Promise<void> }).stopEmbeddedPostgres = () =>
      embedded.stop();
  }
  process.env.TEST_SERVER_URL = serverUrl;
  await startRedis();
  if (process.env.TEST_THROUGH_PGBOUNCER === 'true') {
    // Every app the tests start reaches its database through PgBouncer in transaction mode
    // (test-app.ts); creating and dropping databases, and this template, stay direct.
    const { PgBouncer } = await import('./pgbouncer.js');
    const pooler = await PgBouncer.start(serverUrl);
    process.env.TEST_POOLER_URL = pooler.urlFor(serverUrl);
    (globalThis as { stopPgBouncer?: () => Promise<void> }).stopPgBouncer = () => pooler.stop();
    console.info(`\nthrough PgBouncer ${process.env.TEST_POOLER_URL}`);
  }

  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();

  const template = new DataSource({
    type: 'postgres',
    url: databaseUrl(serverUrl, TEMPLATE_DATABASE),
    migrations,
  });
  await template.initialize();
  await runMigrationsLocked(template);
  await template.destroy();
}

/**
 * TEST_REDIS_URL for the suites that need Redis: given, or a redis-server started here. Without
 * one they are skipped, unless TEST_REQUIRE_SERVICES=true (CI), where every suite must run.
 */
async function startRedis(): Promise<void> {
  if (process.env.TEST_REDIS_URL) return;
  const { startRedisServerOrSkip } = await import('./redis.js');
  const redis = await startRedisServerOrSkip('the suites that need Redis');
  if (!redis) return;
  process.env.TEST_REDIS_URL = redis.url;
  (globalThis as { stopRedis?: () => Promise<void> }).stopRedis = redis.stop;
}
