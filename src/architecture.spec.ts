import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The rules docs/architecture.md states about the shape of src/, checked against the source text:
 * where raw SQL may run, which way imports point, one module per file. Specs are exempt: a test
 * may reach across layers to check them all.
 */
const SRC = resolve('src');
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
const FILES = sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

const RAW_SQL = /\.(?:query|prepared)\s*[<(]/;
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'catch', 'await', 'const', 'new']);

/** `Class.method`, or `file.function` for a function outside a class, around line `index`. */
function enclosingUnit(lines: string[], index: number, path: string): string {
  let unit: string | undefined;
  for (let i = index; i >= 0; i--) {
    const fn = /^(?:export )?(?:async )?function (\w+)/.exec(lines[i]);
    if (fn && !unit) return `${fileName(path)}.${fn[1]}`;
    const method = /^ {2}(?:(?:private|public|protected|static|async|get)\s+)*(\w+)\s*[(<]/.exec(lines[i]);
    if (method && !unit && !KEYWORDS.has(method[1])) unit = method[1];
    const owner = /^(?:export )?(?:abstract )?class (\w+)/.exec(lines[i]);
    if (owner) return `${owner[1]}.${unit ?? '?'}`;
  }
  return `${fileName(path)}.?`;
}
const fileName = (path: string) => path.split('/').at(-1)!.replace(/\.ts$/, '');

function rawSqlCalls(): Set<string> {
  const units = FILES.flatMap(({ path, text }) => {
    const lines = text.split('\n');
    return lines.flatMap((line, i) => (RAW_SQL.test(line) ? [enclosingUnit(lines, i, path)] : []));
  });
  return new Set(units);
}

/** The first column of the raw-SQL table in docs/architecture.md. */
function documentedRawSql(): Set<string> {
  const doc = readFileSync(resolve('docs/architecture.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| where (raw SQL)'));
  const rows = table.split('\n').filter((line) => line.trim().startsWith('|'));
  return new Set(rows.flatMap((row) => /^\s*\| `([\w.]+)`/.exec(row)?.[1] ?? []));
}

describe('the architecture of src/', () => {
  it('runs raw SQL only where docs/architecture.md’s table says, and the table names only such places', () => {
    const documented = documentedRawSql();
    expect(documented.size).toBeGreaterThan(10);
    expect([...rawSqlCalls()].toSorted()).toEqual([...documented].toSorted());
  });

  it('finds the method around a call, in a class or in a function of its own', () => {
    const lines = [
      'export class Owner {',
      '  async find(id: string) {',
      '    if (id) {',
      '      q.query(x);',
    ];
    expect(enclosingUnit(lines, 3, 'src/a/owner.repository.ts')).toBe('Owner.find');
    const fn = ['export async function run(db) {', '  await db.query(x);'];
    expect(enclosingUnit(fn, 1, 'src/migrations/migrate.ts')).toBe('migrate.run');
  });

  it('has no import from common/, config/, database/ or access/ up into any other part of src/', () => {
    const LOWER = ['common', 'config', 'database', 'access'];
    const upward = FILES.filter(({ path }) => LOWER.includes(relative(SRC, path).split('/')[0])).flatMap(
      ({ path, text }) =>
        [...text.matchAll(/from '(\.[^']+)'/g)]
          .map((m) => relative(SRC, resolve(dirname(path), m[1])))
          .filter((target) => !target.startsWith('..') && !LOWER.includes(target.split('/')[0]))
          .map((target) => `${relative(SRC, path)} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('declares one Nest module per file', () => {
    const crowded = FILES.filter(({ text }) => (text.match(/^@Module\(/gm) ?? []).length > 1);
    expect(crowded.map(({ path }) => relative(SRC, path))).toEqual([]);
  });
});
