import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { createApp } from '../../src/app.factory.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../dev/embedded-postgres.js';
import { runMigrationsLocked } from '../../src/migrations/migrate.js';
import { aUser, expectProblem } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { HttpClient } from '../support/http-client.js';

/** How long a connection attempt may take (DATABASE_CONNECT_TIMEOUT_MS), and what a busy host adds to an answer. */
const CONNECT_TIMEOUT_MS = 1_000;
const MARGIN_MS = 2_000;

/** A PostgreSQL of this test's own, stopped and started again under the running app. */
describe('a database outage (e2e)', () => {
  let database: EmbeddedPostgres;
  let app: NestFastifyApplication;
  let http: HttpClient;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.resolve('.data/outage-'));
    chmodSync(dataDir, 0o755);
    port = await freePort();
    database = await startEmbeddedPostgres({ dataDir, port });
    const url = database.url;
    const migrator = new DataSource({ type: 'postgres', url, migrations });
    await migrator.initialize();
    await runMigrationsLocked(migrator);
    await migrator.destroy();
    process.env.DATABASE_URL = url;
    process.env.DATABASE_CONNECT_TIMEOUT_MS = String(CONNECT_TIMEOUT_MS);
    app = await createApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    http = new HttpClient(await app.getUrl());
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await database?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 fast while PostgreSQL is down, and recovers by itself when it is back', async () => {
    expect((await http.post('/users', { body: aUser() })).status).toBe(201);

    await database.stop();
    const started = Date.now();
    const during = await http.post('/users', { body: aUser(), serverError: 503 });
    expect(expectProblem(during, 503).type).toBe('/problems/service-unavailable');
    expect(during.headers.get('retry-after')).toBe('5');
    // The feature is the bound: no request waits longer than one connection attempt.
    expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + MARGIN_MS);
    expectProblem(await http.get('/health/ready', { serverError: 503 }), 503);
    expect((await http.get('/health/live')).status).toBe(200);

    database = await startEmbeddedPostgres({ dataDir, port });
    let status = 0;
    for (let attempt = 0; attempt < 40 && status !== 201; attempt++) {
      status = (await http.post('/users', { body: aUser(), serverError: 503 })).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(201);
    expect((await http.get('/health/ready')).status).toBe(200);
  }, 60_000);
});
