import type { DataSource } from 'typeorm';
import { eventually } from './eventually.js';

/**
 * A barrier for "nothing (more) was sent": waits until the account-email jobs that match `where`
 * (SQL over pg-boss's `job` row, `$1…` its parameters) exist and have all ended for good
 * (completed, failed, cancelled). After that none of them runs again, so a mail that has not
 * arrived will not arrive; a fixed wait could end before a late duplicate.
 */
export async function accountEmailJobsSettled(
  db: DataSource,
  where: string,
  params: unknown[],
  timeoutMs = 15_000,
): Promise<void> {
  await eventually(async () => {
    const [{ total, ended }] = await db.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE state IN ('completed', 'failed', 'cancelled'))::int AS ended
         FROM pgboss.job WHERE name = 'account-email' AND (${where})`,
      params,
    );
    return total > 0 && total === ended;
  }, timeoutMs);
}
