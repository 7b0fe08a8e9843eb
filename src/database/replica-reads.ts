import { Injectable, Logger } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { DatabasePool, type PreparedStatement } from './database-pool.js';
import { DatabaseServer } from './database-server.js';

/**
 * What says the server, not the statement, failed: no connection, a connection lost (a Node error
 * code such as ECONNRESET rather than a SQLSTATE), or the server going away (SQLSTATE 08, 57P).
 */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return true;
  const code = (error.driverError as { code?: unknown }).code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || /^(08|57P)/.test(code);
}

/** After a replica fails, reads skip it this long instead of each waiting for its connect timeout. */
const RETRY_REPLICA_AFTER_MS = 5_000;

/**
 * Reads that may be served by a replica (DATABASE_REPLICA_URLS), a moment behind the primary. The
 * repository that owns the table decides, per query, by running it here: lists may; anything that
 * decides access, anything read right after the caller's own write, and every write may not, and
 * use their repository or transaction as usual (the primary). When the replica cannot be reached,
 * the read runs on the primary instead and is counted (`fallbacks`), and so do the reads of the
 * next few seconds before the replica is tried again: the primary alone can serve.
 */
@Injectable()
export class ReplicaReads {
  private readonly logger = new Logger('Database');
  private fallbackCount = 0;
  private replicaFailedAt = -Infinity;

  constructor(
    private readonly dataSource: DataSource,
    private readonly server: DatabaseServer,
    private readonly pool: DatabasePool,
  ) {}

  /** Reads that went to the primary because a replica could not answer, since the start. */
  get fallbacks(): number {
    return this.fallbackCount;
  }

  /**
   * A read that may lag, as a hot read (DatabasePool's rule): on a replica, the statement's text
   * through the replica's connection; on the primary (no replica, or it failed), the named
   * prepared statement through pg's pool.
   */
  async prepared<T extends object>(statement: PreparedStatement, values: unknown[]): Promise<T[]> {
    const primary = () => this.pool.prepared<T>(statement, values);
    if (this.server.replicaUrls.length === 0) return primary();
    if (performance.now() - this.replicaFailedAt < RETRY_REPLICA_AFTER_MS) return this.onPrimary(primary);
    const replica = this.dataSource.createQueryRunner('slave');
    try {
      await replica.connect();
      return await replica.query(statement.text, values);
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      this.replicaFailedAt = performance.now();
      this.logger.warn(
        `reads go to the primary for ${RETRY_REPLICA_AFTER_MS / 1000} s: a replica failed: ${String(error)}`,
      );
      return this.onPrimary(primary);
    } finally {
      await replica.release();
    }
  }

  private onPrimary<T>(primary: () => Promise<T>): Promise<T> {
    this.fallbackCount += 1;
    return primary();
  }
}
