import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { databaseUrl, onServer, TEMPLATE_DATABASE } from '../support/databases.js';
import { login, signUp } from '../support/factories.js';
import { startTestApp } from '../support/test-app.js';

/** A database of this test's own, empty or a copy of the migrated template; dropped by the returned function. */
async function aDatabase(from?: string) {
  const name = `gatehouse_migrations_${randomBytes(6).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE ${name}${from ? ` TEMPLATE ${from}` : ''}`));
  const url = databaseUrl(process.env.TEST_SERVER_URL!, name);
  const drop = () => onServer((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return { url, drop };
}

/** The public schema as PostgreSQL describes it: tables, columns, constraints, indexes. */
async function schemaOf(dataSource: DataSource): Promise<string[]> {
  const rows: { line: string }[] = await dataSource.query(`
    SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, coalesce(column_default, '')) AS line
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'`);
  return rows.map((r) => r.line).toSorted();
}

describe('migrations (e2e)', () => {
  it('undo, one by one down to nothing, and apply again to the very same schema', async () => {
    const copy = await aDatabase(TEMPLATE_DATABASE);
    const dataSource = new DataSource({ type: 'postgres', url: copy.url, migrations });
    await dataSource.initialize();
    try {
      const migrated = await schemaOf(dataSource);
      expect(migrated.some((line) => line.startsWith('column users.email'))).toBe(true);
      for (let left = migrations.length; left > 0; left--) {
        await dataSource.undoLastMigration({ transaction: 'each' });
        const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM migrations');
        expect(count).toBe(left - 1);
      }
      // Only TypeORM's own bookkeeping is left.
      expect((await schemaOf(dataSource)).filter((line) => !/\bmigrations\b/.test(line))).toEqual([]);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      expect(applied.map((m) => m.name)).toEqual(migrations.map((m) => new m().name));
      expect(await schemaOf(dataSource)).toEqual(migrated);
    } finally {
      await dataSource.destroy();
      await copy.drop();
    }
  }, 60_000);

  it('are applied once when two instances boot with DATABASE_MIGRATE=true at the same moment', async () => {
    const empty = await aDatabase();
    const shared = { databaseUrl: empty.url };
    const [a, b] = await Promise.all([
      startTestApp({ DATABASE_MIGRATE: 'true' }, shared),
      startTestApp({ DATABASE_MIGRATE: 'true' }, shared),
    ]);
    try {
      const applied: { name: string; n: number }[] = await a.db.query(
        'SELECT name, count(*)::int AS n FROM migrations GROUP BY name ORDER BY name',
      );
      expect(applied).toHaveLength(migrations.length);
      expect(applied.every((m) => m.n === 1)).toBe(true);
      // Both serve, on one database: an account made on one signs in on the other.
      const user = await signUp(a.api);
      expect((await login(b.api, user.email, user.password)).accessToken).toBeTruthy();
    } finally {
      await a.close();
      await b.close();
      await empty.drop();
    }
  }, 60_000);
});
