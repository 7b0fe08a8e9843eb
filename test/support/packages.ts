import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TSC = resolve('node_modules/typescript/bin/tsc');

/** `npm pack` of the package in `cwd` into `destination`: the tarball's name and what it holds. */
export async function pack(cwd: string, destination: string) {
  const { stdout } = await run('npm', ['pack', '--json', '--silent', '--pack-destination', destination], {
    cwd,
    timeout: 120_000,
  });
  const [{ filename, files }] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(destination, filename), files: files.map((file) => file.path) };
}

/**
 * `source` as `consumer.ts` of the scratch project, compiled to `out/` as a consumer's strict
 * TypeScript would be: what tsc said ('' when it compiled cleanly).
 */
export async function compileConsumer(
  scratch: string,
  source: string,
  options: Record<string, unknown> = {},
): Promise<string> {
  await writeFile(join(scratch, 'consumer.ts'), source);
  await writeFile(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: [],
        strict: true,
        outDir: 'out',
        ...options,
      },
      include: ['consumer.ts'],
    }),
  );
  const compiled = await run(process.execPath, [TSC, '-p', scratch], { timeout: 120_000 }).catch(
    (error: { stdout: string }) => error,
  );
  return compiled.stdout;
}
