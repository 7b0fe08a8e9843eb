import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { DatabaseServer } from './database-server.js';
import { runMigrationsLocked } from './migrate.js';

/**
 * Brings the schema up to date before the app serves: always for the embedded database (a newcomer's
 * `npm start` just works), and for an external one when `DATABASE_MIGRATE=true`.
 */
@Injectable()
export class MigrationsOnBoot implements OnModuleInit {
  private readonly logger = new Logger('Database');

  constructor(
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
    private readonly server: DatabaseServer,
    private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.server.isEmbedded && !this.config.migrateAtBoot) return;
    const applied = await runMigrationsLocked(this.dataSource);
    if (applied.length > 0)
      this.logger.log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
  }
}
