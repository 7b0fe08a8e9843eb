import 'reflect-metadata';
import { globSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { Configuration } from './src/config/configuration.js';
import { databaseConfig } from './src/config/database.config.js';
import { dataSourceOptions } from './src/database/data-source.options.js';
import { locateDatabase } from './src/database/database-server.js';

/**
 * The DataSource of the TypeORM CLI (`npm run build && npx typeorm migration:show -d dist/ormconfig.js`)
 * and of `npm run migration:generate|check|create`: the app's own options and every entity, on the
 * database `npm start` uses. That is DATABASE_URL, or the embedded PostgreSQL of development, which
 * is started here (and says so) when no `npm start` runs it, and stops when the command ends.
 */
const config = Configuration.load([databaseConfig]).get(databaseConfig);
const database = await locateDatabase(config, (line) => console.info(`ormconfig: ${line}`));

export default new DataSource({ ...dataSourceOptions(config, database.directUrl), entities: entityFiles() });

/**
 * Every `src/**\/*.entity.ts`, as compiled beside this file (in dist/) or as it is when run from
 * source: the stale output of an entity whose source was deleted is not one of them.
 */
function entityFiles(): string[] {
  const here = import.meta.dirname;
  const compiled = path.basename(here) === 'dist';
  const sources = globSync('src/**/*.entity.ts', { cwd: compiled ? path.dirname(here) : here });
  return sources.map((file) => path.join(here, compiled ? file.replace(/\.ts$/, '.js') : file));
}
