import type { DataSource, Migration } from 'typeorm';
import { migrateJobSchema } from '../jobs/job-schema.js';

/** Any fixed number works; it names the lock that serialises migrations across instances. */
const MIGRATION_LOCK = 727_274_001;

/**
 * Applies pending migrations — ours, then pg-boss's for the job queue — while holding a PostgreSQL
 * advisory lock, so two instances that start together never both migrate: the second waits, then
 * finds nothing to do.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  const { url } = dataSource.options as { url?: string };
  if (!url) throw new Error('the migrations need a DataSource configured with a url');
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    // Waiting for another instance's migrations may take longer than an ordinary statement may.
    await lockHolder.query('SET statement_timeout = 0');
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await migrateJobSchema(url);
    return applied;
  } finally {
    await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lockHolder.release();
  }
}
