import { IsBoolean, IsDefined, IsInt, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { resolve } from 'node:path';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { ToBoolean, ToInteger } from './environment.js';

export class DatabaseEnvironment {
  /** Read here only to require DATABASE_URL in production. */
  NODE_ENV?: string;

  /** Unset (development only): an embedded PostgreSQL in DATABASE_EMBEDDED_DIR (dev/embedded-postgres.ts). */
  @ValidateIf((env: DatabaseEnvironment) => env.NODE_ENV === 'production' || env.DATABASE_URL !== undefined)
  @IsDefined({ message: 'is required in production (the embedded database is for development)' })
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

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
  migrateAtBoot: env.DATABASE_MIGRATE,
  poolSize: env.DATABASE_POOL_SIZE,
  connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
  statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  logQueries: env.DATABASE_LOG_QUERIES,
  embedded: { dataDir: resolve(env.DATABASE_EMBEDDED_DIR), port: env.DATABASE_EMBEDDED_PORT },
}));
export type DatabaseConfig = ConfigOf<typeof databaseConfig>;
