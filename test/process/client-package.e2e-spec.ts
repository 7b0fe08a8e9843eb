import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { aUser } from '../support/factories.js';
import { compileConsumer, pack } from '../support/packages.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);
const PACKAGE = resolve('clients/typescript');

/** What a package needs at run time (its `dependencies`), and what those need in turn. */
async function runtimeDependencies(packageDir: string, found = new Set<string>()): Promise<string[]> {
  const { dependencies = {} } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
  for (const name of Object.keys(dependencies as object))
    if (!found.has(name)) {
      found.add(name);
      await runtimeDependencies(resolve('node_modules', name), found);
    }
  return [...found];
}

/** What a consumer writes: typed calls, sign-in, a problem as an error; and a call the types refuse. */
const CONSUMER = `
import { createGatehouseClient, GatehouseProblem, orThrow } from '@gatehouse/client';

declare const process: { argv: string[] };
const [baseUrl, email, password] = process.argv.slice(2);

const client = createGatehouseClient({ baseUrl });
await orThrow(client.POST('/api/v1/users', { body: { email, password, name: 'Consumer' } }));
await client.signIn({ email, password });
const me = await orThrow(client.GET('/api/v1/users/me'));
let problem = '';
try {
  await orThrow(client.POST('/api/v1/users', { body: { email, password, name: 'Again' } }));
} catch (error) {
  if (error instanceof GatehouseProblem) problem = \`\${error.status} \${error.type}\`;
}
console.log(JSON.stringify({ email: me.email, role: me.role, problem }));

export function neverCalled() {
  // @ts-expect-error: not an operation of the API
  void client.GET('/api/v1/no-such-path');
  // @ts-expect-error: a name is a string
  void client.POST('/api/v1/users', { body: { email, password, name: 42 } });
}
`;

/** `npm pack` of clients/typescript, installed into a scratch project as a consumer would. */
describe('@gatehouse/client as a package (e2e)', () => {
  let t: TestApp;
  let scratch: string;
  beforeAll(async () => {
    t = await startTestApp();
    scratch = await mkdtemp(join(tmpdir(), 'gatehouse-client-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('packs a tarball that installs, type-checks a consumer against its types, and calls the started app', async () => {
    const { tarball, files } = await pack(PACKAGE, scratch);
    expect(files.toSorted()).toEqual([
      'README.md',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/schema.d.ts',
      'dist/schema.js',
      'package.json',
    ]);

    await writeFile(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    // Its dependencies as this checkout installed them (the lockfile's versions), packed beside it:
    // the install needs no registry, so it runs on a machine without a network too.
    const dependencies = await Promise.all(
      (await runtimeDependencies(PACKAGE)).map(
        async (name) => (await pack(resolve('node_modules', name), scratch)).tarball,
      ),
    );
    await run('npm', ['install', tarball, ...dependencies, '--offline', '--no-audit', '--no-fund'], {
      cwd: scratch,
      timeout: 120_000,
    });
    const installed = JSON.parse(
      await readFile(join(scratch, 'node_modules/@gatehouse/client/package.json'), 'utf8'),
    );
    expect(installed.name).toBe('@gatehouse/client');

    expect(await compileConsumer(scratch, CONSUMER)).toBe('');

    const user = aUser();
    const { stdout } = await run(
      process.execPath,
      [join(scratch, 'out/consumer.js'), await t.app.getUrl(), user.email, user.password],
      { timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toEqual({
      email: user.email,
      role: 'user',
      problem: '409 /problems/email-taken',
    });
  }, 240_000);
});
