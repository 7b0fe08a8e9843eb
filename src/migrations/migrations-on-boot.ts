import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type Migration } from 'typeorm';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { dataSourceOptions } from '../database/data-source.options.js';
import { DatabaseServer } from '../database/database-server.js';
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
    const applied = await this.migrate();
    if (applied.length > 0)
      this.logger.log(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
  }

  /** On the server itself: the advisory lock lives as long as a session, which a pooler does not keep. */
  private async migrate(): Promise<Migration[]> {
    if (this.server.directUrl === this.server.url) return runMigrationsLocked(this.dataSource);
    const direct = new DataSource(dataSourceOptions(this.config, this.server.directUrl));
    await direct.initialize();
    try {
      return await runMigrationsLocked(direct);
    } finally {
      await direct.destroy();
    }
  }
}
