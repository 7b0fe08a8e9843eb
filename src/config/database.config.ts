import { Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsDefined,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { resolve } from 'node:path';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { ToBoolean, ToInteger } from './environment.js';

const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/;

export class DatabaseEnvironment {
  /** Read here only to require DATABASE_URL in production. */
  NODE_ENV?: string;

  /** Unset (development only): an embedded PostgreSQL in DATABASE_EMBEDDED_DIR (dev/embedded-postgres.ts). */
  @ValidateIf(
    (env: DatabaseEnvironment) =>
      env.NODE_ENV === 'production' ||
      [env.DATABASE_URL, env.DATABASE_REPLICA_URLS, env.DATABASE_DIRECT_URL].some((v) => v !== undefined),
  )
  @IsDefined({
    message:
      'is required in production and with replicas or a direct URL (the embedded database is for development)',
  })
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /**
   * Read replicas (streaming standbys of DATABASE_URL's server), comma-separated: the reads their
   * owning repository marks as tolerant of a moment's lag go there (docs/architecture.md).
   */
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((url) => url.trim()) : value))
  @ValidateIf((env: DatabaseEnvironment) => env.DATABASE_REPLICA_URLS !== undefined)
  @ArrayNotEmpty()
  @Matches(POSTGRES_URL, {
    each: true,
    message: 'must list postgres:// or postgresql:// URLs, comma-separated',
  })
  DATABASE_REPLICA_URLS?: string[];

  /**
   * The server itself, for what needs a session of its own, which a transaction pooler such as
   * PgBouncer in DATABASE_URL cannot give: the migrations' advisory lock and the job queue's LISTEN.
   * Unset: DATABASE_URL.
   */
  @ValidateIf((env: DatabaseEnvironment) => env.DATABASE_DIRECT_URL !== undefined)
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_DIRECT_URL?: string;

  /**
   * Named prepared statements on the hot paths (bench/README.md). Off behind a pooler that cannot
   * keep them across transactions: PgBouncer before 1.21 in transaction mode, or later ones without
   * `max_prepared_statements`.
   */
  @ToBoolean()
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS = true;

  /** Apply pending migrations at boot (under an advisory lock). Always on for the embedded database. */
  @ToBoolean()
  @IsBoolean()
  DATABASE_MIGRATE = false;

  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @ToInteger()
  @IsInt()
  @Min(100)
  @Max(120_000)
  DATABASE_CONNECT_TIMEOUT_MS = 5_000;

  @ToInteger()
  @IsInt()
  @Min(100)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 15_000;

  /** Development only: where the embedded PostgreSQL keeps its cluster. */
  @IsString()
  DATABASE_EMBEDDED_DIR = '.data';

  /** Development only: the embedded PostgreSQL's port (another free one when this one is taken). */
  @ToInteger()
  @IsInt()
  @Min(1024)
  @Max(65535)
  DATABASE_EMBEDDED_PORT = 54329;

  @ToBoolean()
  @IsBoolean()
  DATABASE_LOG_QUERIES = false;
}

export const databaseConfig = defineConfig('database', DatabaseEnvironment, (env) => ({
  url: env.DATABASE_URL,
  replicaUrls: env.DATABASE_REPLICA_URLS ?? [],
  directUrl: env.DATABASE_DIRECT_URL,
  preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
  migrateAtBoot: env.DATABASE_MIGRATE,
  poolSize: env.DATABASE_POOL_SIZE,
  connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
  statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  logQueries: env.DATABASE_LOG_QUERIES,
  embedded: { dataDir: resolve(env.DATABASE_EMBEDDED_DIR), port: env.DATABASE_EMBEDDED_PORT },
}));
export type DatabaseConfig = ConfigOf<typeof databaseConfig>;
