import 'reflect-metadata';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { databaseConfig } from './src/config/database.config.js';
import { loadEnvironment } from './src/config/load-environment.js';
import { dataSourceOptions } from './src/database/data-source.options.js';
import { EmbeddedPostgres } from './src/database/embedded-postgres.js';

/**
 * The DataSource of the TypeORM CLI and of `npm run migration:*`: the same options the app uses, on the
 * same database (`DATABASE_URL`, or the embedded one, started here when `npm start` is not running).
 */
loadEnvironment();
const config = databaseConfig();
const url = config.url ?? (await new EmbeddedPostgres(config.embedded).start());

export default new DataSource({
  ...dataSourceOptions(config, url),
  entities: [path.join(import.meta.dirname, 'src/**/*.entity.{js,ts}')],
});
