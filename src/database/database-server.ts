import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config.js';

export interface DatabaseLocation {
  url: string;
  /** True for the embedded PostgreSQL of development. */
  embedded: boolean;
  /** Stops the embedded server if this process started it; nothing for DATABASE_URL. */
  stop(): Promise<void>;
}

/**
 * DATABASE_URL, or, in development only (production requires the URL), the embedded PostgreSQL of
 * `dev/`, which the production image neither contains nor loads. Every entry point finds its
 * database here: the API, the worker, the CLI, the migrations and `ormconfig.ts`.
 */
export async function locateDatabase(
  config: DatabaseConfig,
  log: (line: string) => void,
  debug?: (line: string) => void,
): Promise<DatabaseLocation> {
  if (config.url) return { url: config.url, embedded: false, stop: async () => undefined };
  const { startEmbeddedPostgres } = await import('../../dev/embedded-postgres.js');
  const server = await startEmbeddedPostgres({ ...config.embedded, log, debug });
  return { url: server.url, embedded: true, stop: () => server.stop() };
}

/** The database of this process as a provider: stops an embedded server once the pool has closed. */
export class DatabaseServer implements OnApplicationShutdown {
  private static readonly logger = new Logger('Database');

  private constructor(
    private readonly location: DatabaseLocation,
    private readonly moduleRef: ModuleRef,
  ) {}

  get url(): string {
    return this.location.url;
  }

  get isEmbedded(): boolean {
    return this.location.embedded;
  }

  static async start(config: DatabaseConfig, moduleRef: ModuleRef): Promise<DatabaseServer> {
    const location = await locateDatabase(
      config,
      (line) => this.logger.log(line),
      (line) => this.logger.debug(line),
    );
    return new DatabaseServer(location, moduleRef);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.location.embedded) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.location.stop();
  }
}
