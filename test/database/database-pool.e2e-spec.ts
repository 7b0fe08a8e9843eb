import pg from 'pg';
import { DataSource } from 'typeorm';
import { DatabasePool, pgPoolOf } from '../../src/database/database-pool.js';
import { TYPE_PARSERS } from '../../src/database/timestamps.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The one place the project reaches past TypeORM's API: it must fail loudly if TypeORM moves it. */
describe('the pg pool behind TypeORM (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is the pool TypeORM runs its queries on', async () => {
    const pool = pgPoolOf(t.db);
    expect(pool).toBeInstanceOf(pg.Pool);
    // A backend of TypeORM's, seen from a query on the pool: the same connections.
    const [{ pid: fromTypeorm }] = await t.db.query('SELECT pg_backend_pid() AS pid');
    const seen = new Set<number>();
    for (let i = 0; i < 20 && !seen.has(fromTypeorm); i++) {
      const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
      for (const client of clients)
        seen.add((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      for (const client of clients) client.release();
    }
    expect(seen).toContain(fromTypeorm);
  });

  it('prepares named statements once per connection and reports its connections', async () => {
    const pool = t.app.get(DatabasePool);
    const statement = { name: 'test_pool_now', text: 'SELECT $1::int + 1 AS n' };
    expect(await pool.prepared(statement, [41])).toEqual([{ n: 42 }]);
    expect(await pool.prepared(statement, [1])).toEqual([{ n: 2 }]);
    const stats = pool.stats();
    expect(stats.total).toBeGreaterThan(0);
    expect(stats.idle).toBeLessThanOrEqual(stats.total);
  });

  it('reads timestamptz with its own parser, the same instant in any of the server’s time zones', async () => {
    const pool = pgPoolOf(t.db);
    expect(pool.options.types).toBe(TYPE_PARSERS);
    const client = await pool.connect();
    try {
      for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'America/Caracas']) {
        await client.query(`SET TimeZone = '${zone}'`);
        const { rows } = await client.query(
          `SELECT '2026-12-07T12:34:56.789123Z'::timestamptz AS at, '1875-03-01T00:00:00Z'::timestamptz AS old,
                  'infinity'::timestamptz AS never`,
        );
        expect(rows[0].at.toISOString()).toBe('2026-12-07T12:34:56.789Z');
        expect(rows[0].old.toISOString()).toBe('1875-03-01T00:00:00.000Z');
        expect(rows[0].never).toBe(Infinity);
      }
    } finally {
      await client.query('RESET TimeZone');
      client.release();
    }
  });

  it('refuses a DataSource that has no pool (not initialised, or not PostgreSQL)', () => {
    const uninitialised = new DataSource({ type: 'postgres', url: 'postgres://localhost/none' });
    expect(() => pgPoolOf(uninitialised)).toThrow(/no pg pool/);
  });
});
