import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config.js';
import { EmbeddedPostgres } from './embedded-postgres.js';

/**
 * Where the database is: `DATABASE_URL`, or an embedded PostgreSQL started for this process when it
 * is unset. Owns the embedded server's lifetime, so it closes the connection pool before stopping it.
 */
export class DatabaseServer implements OnApplicationShutdown {
  private static readonly logger = new Logger('Database');

  private constructor(
    readonly url: string,
    readonly embedded: EmbeddedPostgres | undefined,
    private readonly moduleRef: ModuleRef,
  ) {}

  static async start(config: DatabaseConfig, moduleRef: ModuleRef): Promise<DatabaseServer> {
    if (config.url) return new DatabaseServer(config.url, undefined, moduleRef);
    const started = Date.now();
    const embedded = new EmbeddedPostgres({ ...config.embedded, log: (line) => this.logger.debug(line) });
    const url = await embedded.start();
    this.logger.log(
      `embedded PostgreSQL on 127.0.0.1:${config.embedded.port} (data in ${config.embedded.dataDir}), ready in ${Date.now() - started} ms`,
    );
    return new DatabaseServer(url, embedded, moduleRef);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
    DatabaseServer.logger.log('embedded PostgreSQL stopped');
  }
}
