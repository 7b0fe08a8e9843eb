import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config.js';

export interface DatabaseLocation {
  url: string;
  /** The server itself, for sessions a transaction pooler cannot give (DATABASE_DIRECT_URL, or `url`). */
  directUrl: string;
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
  if (config.url) {
    const directUrl = config.directUrl ?? config.url;
    return { url: config.url, directUrl, embedded: false, stop: async () => undefined };
  }
  const { startEmbeddedPostgres } = await import('../../dev/embedded-postgres.js');
  const server = await startEmbeddedPostgres({ ...config.embedded, log, debug });
  return { url: server.url, directUrl: server.url, embedded: true, stop: () => server.stop() };
}

/** The database of this process as a provider: stops an embedded server once the pool has closed. */
export class DatabaseServer implements OnApplicationShutdown {
  private static readonly logger = new Logger('Database');

  private constructor(
    private readonly location: DatabaseLocation,
    /** The replicas that answered at boot (DATABASE_REPLICA_URLS): TypeORM cannot start with one that does not. */
    readonly replicaUrls: readonly string[],
    private readonly moduleRef: ModuleRef,
  ) {}

  get url(): string {
    return this.location.url;
  }

  get directUrl(): string {
    return this.location.directUrl;
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
    const replicaUrls = await reachableReplicas(config, (line) => this.logger.warn(line));
    return new DatabaseServer(location, replicaUrls, moduleRef);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.location.embedded) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.location.stop();
  }
}

/**
 * The replicas that accept a connection now. TypeORM connects to every replica when it starts and
 * fails the boot if one does not answer; an instance that can serve from its primary alone should
 * start, so a replica that is down is left out (and said so) until the next start.
 */
async function reachableReplicas(config: DatabaseConfig, warn: (line: string) => void): Promise<string[]> {
  const answers = await Promise.all(
    config.replicaUrls.map(async (url, index) => {
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: config.connectTimeoutMs,
      });
      try {
        await client.connect();
        return url;
      } catch (error) {
        warn(
          `replica ${index + 1} of DATABASE_REPLICA_URLS is left out until the next start: ${String(error)}`,
        );
        return undefined;
      } finally {
        await client.end().catch(() => undefined);
      }
    }),
  );
  return answers.filter((url) => url !== undefined);
}
