import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { Configuration } from '../config/configuration.js';
import { databaseConfig } from '../config/database.config.js';
import { InvalidConfigurationError } from '../config/environment.js';
import { dataSourceOptions } from '../database/data-source.options.js';
import { locateDatabase } from '../database/database-server.js';
import { runMigrationsLocked } from './migrate.js';

/**
 * `npm run migration:run|revert`, and in production `node dist/src/migrations/migrations.cli.js run`
 * (the compose `migrate` service, a Kubernetes Job): reads only the database settings.
 *   run      apply pending migrations, ours and the job queue's (under the advisory lock the app uses)
 *   revert   undo the last applied migration
 * Writing migrations (generate, check, create) is development work: dev/migrations.ts.
 */
async function main([command, ...rest]: string[]): Promise<number> {
  if (!['run', 'revert'].includes(command) || rest.length > 0) {
    console.error('usage: migrations.cli <run|revert>');
    return 2;
  }
  const config = Configuration.load([databaseConfig]).get(databaseConfig);
  const database = await locateDatabase(config, (line) => console.info(line));
  const dataSource = new DataSource(dataSourceOptions(config, database.directUrl));
  await dataSource.initialize();
  try {
    if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      return 0;
    }
    const applied = await runMigrationsLocked(dataSource);
    console.info(
      applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations',
    );
    return 0;
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof InvalidConfigurationError ? error.message : error);
    process.exit(1);
  },
);
