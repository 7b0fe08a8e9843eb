import { Global, Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { dataSourceOptions } from './data-source.options.js';
import { DatabasePool } from './database-pool.js';
import { DatabaseServer } from './database-server.js';
import { MigrationsOnBoot } from './migrations-on-boot.js';
import { ReplicaReads } from './replica-reads.js';
import { Transactions } from './transactions.js';

@Module({
  providers: [
    {
      provide: DatabaseServer,
      inject: [databaseConfig.KEY, ModuleRef],
      useFactory: (config: DatabaseConfig, moduleRef: ModuleRef) => DatabaseServer.start(config, moduleRef),
    },
  ],
  exports: [DatabaseServer],
})
class DatabaseServerModule {}

/**
 * TypeORM on PostgreSQL: the DataSource (features register their entities with
 * `TypeOrmModule.forFeature`), transactions that span modules, the pg pool's typed seam, reads
 * from replicas, and the migrations at boot.
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
  providers: [MigrationsOnBoot, DatabasePool, ReplicaReads, Transactions],
  exports: [DatabaseServerModule, DatabasePool, ReplicaReads, Transactions],
})
// Global like TypeORM's DataSource, which it wraps: features inject it without importing this module.
@Global()
export class DatabaseModule {}
