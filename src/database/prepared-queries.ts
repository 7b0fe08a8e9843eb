import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/** A statement PostgreSQL prepares once per connection: its name must be unique to its text. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Named statements on the pool TypeORM manages, for the reads every request makes (the caller's
 * session and account, a user by id). PostgreSQL parses and plans a named statement once per
 * connection and pg then sends only Bind/Execute, and the call skips TypeORM's query runner: 111
 * → 62 µs of client CPU per query on this machine, and less work for the server (bench/README.md).
 * Errors are pg's own, which the problem filter reads the same way (a lost database is a 503).
 */
@Injectable()
export class PreparedQueries {
  private readonly pool: Pool;

  constructor(dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
  }

  async rows<T extends object>(statement: PreparedStatement, values: unknown[]): Promise<T[]> {
    return (await this.pool.query<T>({ ...statement, values })).rows;
  }
}
