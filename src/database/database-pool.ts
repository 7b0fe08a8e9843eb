import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';

/** A statement PostgreSQL prepares once per connection: its name must be unique to its text. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * The pg pool behind TypeORM's DataSource, through its one typed seam (`pgPoolOf`), for the two
 * things TypeORM does not offer: the pool's statistics (metrics) and named prepared statements on
 * the hot paths. PostgreSQL parses and plans a named statement once per connection and pg then
 * sends only Bind/Execute, and the call skips TypeORM's query runner: 111 → 62 µs of client CPU per
 * query (bench/README.md). Use it only where a benchmark shows the path is hot, from the repository
 * of the module that owns the table (docs/architecture.md).
 */
@Injectable()
export class DatabasePool {
  private readonly pool: Pool;
  private readonly named: boolean;

  constructor(dataSource: DataSource, @Inject(databaseConfig.KEY) config: DatabaseConfig) {
    this.pool = pgPoolOf(dataSource);
    this.named = config.preparedStatements;
  }

  /**
   * With DATABASE_PREPARED_STATEMENTS=false (behind a transaction pooler that cannot keep them),
   * the same statement unnamed: parsed and planned at every call, on whichever server connection
   * the pooler lends.
   */
  async prepared<T extends object>(statement: PreparedStatement, values: unknown[]): Promise<T[]> {
    const query = this.named ? { ...statement, values } : { text: statement.text, values };
    return (await this.pool.query<T>(query)).rows;
  }

  /** Connections open, idle, and requests waiting for one. */
  stats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }
}

/**
 * The pool of an initialised PostgreSQL DataSource: the public `master` member of TypeORM's
 * `PostgresDriver` (typed `any` there), checked to be a pg pool. The only place the project reaches
 * past TypeORM's API; test/database/database-pool.e2e-spec.ts fails if a TypeORM release moves it.
 */
export function pgPoolOf(dataSource: DataSource): Pool {
  const driver = dataSource.driver;
  const pool: unknown = driver instanceof PostgresDriver ? driver.master : undefined;
  if (!isPool(pool)) throw new Error('the DataSource is not an initialised PostgreSQL one: no pg pool found');
  return pool;
}

function isPool(value: unknown): value is Pool {
  const pool = value as Partial<Pool> | undefined;
  return typeof pool?.query === 'function' && typeof pool.totalCount === 'number';
}
