import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import type { DatabaseConfig } from '../config/database.config.js';
import { TYPE_PARSERS } from './timestamps.js';

/**
 * The one description of the database connection, shared by the app (`DatabaseModule`), the
 * migrations and the TypeORM CLI (`ormconfig.ts`), so that they cannot disagree. The migrations and
 * the CLI pass no replicas, and the direct URL when there is one (DatabaseServer). `synchronize` stays
 * off: the schema is what `migrations/` says. Entities are added by each: the app registers them
 * per feature module (`autoLoadEntities`), the CLI finds every `*.entity.ts`.
 */
export function dataSourceOptions(
  config: DatabaseConfig,
  url: string,
  replicaUrls: readonly string[] = [],
): DataSourceOptions {
  return {
    type: 'postgres',
    // The pg this project imports, so that TypeORM and DatabasePool share one module and one type.
    driver: pg,
    url,
    // With replicas, every statement still goes to the primary unless its repository asks for a
    // replica (ReplicaReads): TypeORM's default would send every find and query builder there.
    ...(replicaUrls.length > 0
      ? {
          replication: {
            master: { url },
            slaves: replicaUrls.map((replica) => ({ url: replica })),
            defaultMode: 'master' as const,
          },
        }
      : {}),
    // Listed, not globbed: the list is rewritten by `npm run migration:generate`, and works the same
    // under Jest's module loader, where TypeORM's glob imports do not.
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; the schema, extensions included, is the migrations' job.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // Failed queries are not logged here: TypeORM would print their parameters, password hashes
    // included. The problem-details filter logs unexpected errors instead.
    logging: config.logQueries ? 'all' : ['warn', 'migration'],
    applicationName: 'gatehouse',
    poolSize: config.poolSize,
    connectTimeoutMS: config.connectTimeoutMs,
    extra: {
      types: TYPE_PARSERS,
      // A slow query or an abandoned transaction gives an error instead of holding a connection.
      statement_timeout: config.statementTimeoutMs,
      idle_in_transaction_session_timeout: config.statementTimeoutMs * 2,
      query_timeout: config.statementTimeoutMs + 1_000,
    },
  };
}
