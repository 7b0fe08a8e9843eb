import { PgBoss } from 'pg-boss';

/** The PostgreSQL schema that holds the job queue's tables, apart from the app's own. */
export const JOB_SCHEMA = 'pgboss';

/**
 * Installs pg-boss's schema, or upgrades it to the version the installed pg-boss needs. pg-boss
 * owns these tables and their migrations; we run them with ours (`runMigrationsLocked`), so that a
 * starting instance never changes the schema by itself.
 */
export async function migrateJobSchema(url: string): Promise<void> {
  const boss = new PgBoss({
    connectionString: url,
    schema: JOB_SCHEMA,
    application_name: 'gatehouse-migrations',
    max: 2,
    migrate: true,
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.stop({ graceful: false });
}
