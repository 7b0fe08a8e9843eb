import { Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { DatabaseServer } from './database-server.js';

/** Where the database is (DATABASE_URL, or the embedded server it starts): what TypeORM's root needs first. */
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
export class DatabaseServerModule {}
