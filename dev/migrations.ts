import 'reflect-metadata';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { runMigrationsLocked } from '../src/migrations/migrate.js';

/**
 * Writing migrations, on the DataSource of `ormconfig.ts` (every entity, the database `npm start`
 * uses); development only:
 *   npm run migration:generate -- migrations/<Name>   the SQL that brings the schema to the entities
 *   npm run migration:create -- migrations/<Name>     an empty migration to write by hand
 *   npm run migration:check                           fail when the entities and the migrations disagree
 * Files follow the project's style, import only types from typeorm, and are listed in
 * migrations/index.ts, which each command rewrites.
 */
async function main([command, target]: string[]): Promise<number> {
  if (command === 'create') return target ? create(target) : usage();
  if (command !== 'generate' && command !== 'check') return usage();
  if (command === 'generate' && !target) return usage();
  const { default: dataSource } = (await import('../ormconfig.js')) as { default: DataSource };
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource);
    const { upQueries, downQueries } = await dataSource.driver.createSchemaBuilder().log();
    if (command === 'check') return check(upQueries);
    if (upQueries.length === 0) {
      console.info('nothing to generate: the migrations match the entities');
      return 0;
    }
    await write(target, statements(upQueries), statements(downQueries.toReversed()));
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

function usage(): number {
  console.error(
    'usage: npm run migration:<generate|create> -- migrations/<Name>, or npm run migration:check',
  );
  return 2;
}

function check(upQueries: { query: string }[]): number {
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

async function create(target: string): Promise<number> {
  await write(target, '    // the statements that change the schema', '    // the statements that undo them');
  return 0;
}

const statements = (queries: { query: string; parameters?: unknown[] }[]) =>
  queries
    .map(
      (q) =>
        `    await queryRunner.query(${quote(q.query)}${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`,
    )
    .join('\n');

/** Writes migrations/<timestamp>-<Name>.ts and rewrites the index. */
async function write(target: string, up: string, down: string): Promise<void> {
  const timestamp = Date.now();
  const name = path.basename(target).replace(/[^A-Za-z0-9]/g, '');
  const file = path.join(path.dirname(target), `${timestamp}-${name}.ts`);
  await writeFormatted(
    file,
    `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${timestamp} implements MigrationInterface {
  name = '${name}${timestamp}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}
`,
  );
  await writeIndex(path.dirname(target));
  console.info(`wrote ${file} and updated the index: review it`);
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
      '// Rewritten by `npm run migration:generate` and `migration:create`: every migration, oldest first.',
      ...classes.map((c) => `import { ${c.className} } from '${c.module}';`),
      '',
      `export const migrations = [${classes.map((c) => c.className).join(', ')}];`,
      '',
    ].join('\n'),
  );
}

/** Written as `npm run format` would write it. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const prettier = await import('prettier');
  const config = await prettier.resolveConfig(file);
  await writeFile(file, await prettier.format(text, { ...config, filepath: file }));
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
