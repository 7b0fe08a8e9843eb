import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { dataSourceOptions } from './data-source.options.js';
import { DatabasePool } from './database-pool.js';
import { DatabaseServer } from './database-server.js';
import { DatabaseServerModule } from './database-server.module.js';
import { ReplicaReads } from './replica-reads.js';
import { Transactions } from './transactions.js';

/**
 * TypeORM on PostgreSQL: the DataSource (features register their entities with
 * `TypeOrmModule.forFeature`), transactions that span modules, the pg pool's typed seam, reads
 * from replicas. The migrations at boot are `MigrationsModule`'s (src/migrations/).
 */
@Module({
  imports: [
    DatabaseServerModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [databaseConfig.KEY, DatabaseServer],
      useFactory: (config: DatabaseConfig, server: DatabaseServer) => ({
        ...dataSourceOptions(config, server.url, server.replicaUrls),
        autoLoadEntities: true,
        // A missing database fails the boot within seconds instead of retrying for half a minute.
        retryAttempts: 2,
        retryDelay: 1_000,
      }),
    }),
  ],
  providers: [DatabasePool, ReplicaReads, Transactions],
  exports: [DatabaseServerModule, DatabasePool, ReplicaReads, Transactions],
})
// Global like TypeORM's DataSource, which it wraps: features inject it without importing this module.
@Global()
export class DatabaseModule {}
