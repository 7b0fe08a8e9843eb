import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { runMigrationsLocked } from './migrate.js';

/**
 * `npm run migration:<command>`:
 *   run                 apply pending migrations (under the advisory lock the app uses)
 *   revert              undo the last applied migration
 *   generate <path>     write migrations/<timestamp>-<Name>.ts with the SQL that brings the schema to the entities
 *   check               fail when the entities and the migrations disagree
 * Generated files follow the project's style and import only types from typeorm.
 */
async function main([command, target]: string[]): Promise<number> {
  const { default: dataSource } = (await import('../../ormconfig.js')) as { default: DataSource };
  await dataSource.initialize();
  try {
    switch (command) {
      case 'run': {
        const applied = await runMigrationsLocked(dataSource);
        console.info(
          applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations',
        );
        return 0;
      }
      case 'revert':
        await dataSource.undoLastMigration({ transaction: 'each' });
        return 0;
      case 'generate':
      case 'check':
        await runMigrationsLocked(dataSource);
        return await diff(dataSource, command, target);
      default:
        console.error('usage: migrations.cli <run|revert|generate <path>|check>');
        return 2;
    }
  } finally {
    await dataSource.destroy();
  }
}

async function diff(dataSource: DataSource, command: 'generate' | 'check', target?: string): Promise<number> {
  const { upQueries, downQueries } = await dataSource.driver.createSchemaBuilder().log();
  if (command === 'check') {
    if (upQueries.length === 0) {
      console.info('the migrations match the entities');
      return 0;
    }
    console.error(
      'the entities differ from the migrations; run `npm run migration:generate -- migrations/<Name>`:',
    );
    for (const query of upQueries) console.error(`  ${query.query}`);
    return 1;
  }
  if (!target) {
    console.error('usage: npm run migration:generate -- migrations/<Name>');
    return 2;
  }
  if (upQueries.length === 0) {
    console.info('nothing to generate: the migrations match the entities');
    return 0;
  }
  const timestamp = Date.now();
  const name = path.basename(target).replace(/[^A-Za-z0-9]/g, '');
  const file = path.join(path.dirname(target), `${timestamp}-${name}.ts`);
  const statements = (queries: { query: string; parameters?: unknown[] }[]) =>
    queries
      .map(
        (q) =>
          `    await queryRunner.query(${quote(q.query)}${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`,
      )
      .join('\n');
  await writeFormatted(
    file,
    `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${timestamp} implements MigrationInterface {
  name = '${name}${timestamp}';

  async up(queryRunner: QueryRunner): Promise<void> {
${statements(upQueries)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${statements(downQueries.toReversed())}
  }
}
`,
  );
  await writeIndex(path.dirname(target));
  console.info(`wrote ${file} and updated the index: review it`);
  return 0;
}

/** Rewrites `<dir>/index.ts`, the list of every migration, oldest first. */
async function writeIndex(dir: string): Promise<void> {
  const files = (await readdir(dir)).filter((f) => /^\d+-\w+\.ts$/.test(f)).toSorted();
  const classes = files.map((f) => {
    const [timestamp, name] = f.replace(/\.ts$/, '').split('-');
    return { className: `${name}${timestamp}`, module: `./${f.replace(/\.ts$/, '.js')}` };
  });
  await writeFormatted(
    path.join(dir, 'index.ts'),
    [
      '// Rewritten by `npm run migration:generate`: every migration, oldest first.',
      ...classes.map((c) => `import { ${c.className} } from '${c.module}';`),
      '',
      `export const migrations = [${classes.map((c) => c.className).join(', ')}];`,
      '',
    ].join('\n'),
  );
}

/** Written as `npm run format` would write it, where Prettier is installed (not in a production image). */
async function writeFormatted(file: string, text: string): Promise<void> {
  const prettier = await import('prettier').catch(() => undefined);
  const config = prettier ? await prettier.resolveConfig(file) : null;
  await writeFile(file, prettier ? await prettier.format(text, { ...config, filepath: file }) : text);
}

/** A template literal, the most readable way to embed SQL full of double quotes. */
const quote = (sql: string) => `\`${sql.replace(/[\\`]/g, '\\$&').replace(/\$\{/g, '\\${')}\``;

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
