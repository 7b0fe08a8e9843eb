// What the benchmark and the soak run share: the database server, processes, and /proc readings.
import { fork, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { imageRuntime } from '../scripts/dockerfile.mjs';
import { startEmbeddedPostgres } from '../dist/dev/embedded-postgres.js';

/** The key-encryption key of an app given `secret` as AUTH_JWT_SECRET: seed.mjs seals the bench's signing key with it. */
export const keyEncryptionKeyOf = (secret) => createHash('sha256').update(`kek ${secret}`).digest();

/** DATABASE_URL's server, or an embedded one in `.data/<name>`. */
export async function serverUrl(name = 'bench') {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const embedded = await startEmbeddedPostgres({
    dataDir: path.resolve(`.data/${name}`),
    port: await freePort(),
  });
  return { url: embedded.url, stop: () => embedded.stop() };
}

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function query(url, sql, params) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(url, child, timeoutMs = 30_000) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status < 500) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

/**
 * The built app of `root` (this checkout by default; the gate's or the profiler's other build) as
 * production runs it: with the environment its image sets (the runtime stage's `ENV` lines: V8's
 * heap options, glibc's malloc arenas), without rate limits, on `port` (any free one by default),
 * `nodeArgs` before its entry point (the profiler's `--inspect`); resolves once `readyPath` answers.
 */
export async function startBuiltApp({
  databaseUrl,
  secret,
  smtpUrl,
  readyPath = '/docs-json',
  env = {},
  port,
  root = '.',
  nodeArgs = [],
}) {
  port ??= await freePort();
  const image = imageRuntime(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  // Builds from before the tracing loader (an older commit's) start without it.
  const tracing = existsSync(path.join(root, 'dist/src/telemetry/tracing.js'))
    ? ['--import', './dist/src/telemetry/tracing.js']
    : [];
  const child = spawn(process.execPath, [...nodeArgs, ...tracing, 'dist/src/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      ...image.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      RATE_LIMIT_ENABLED: 'false',
      AUTH_JWT_SECRET: secret,
      AUTH_MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // The one seed.mjs seals the bench's signing key with.
      AUTH_KEY_ENCRYPTION_KEY: keyEncryptionKeyOf(secret).toString('base64'),
      // Production closes /metrics to strangers; the bench does not scrape it.
      METRICS_TOKEN: secret,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const bootMs = await waitFor(`http://127.0.0.1:${port}${readyPath}`, child);
  return { child, base: `http://127.0.0.1:${port}`, bootMs };
}

export async function stop({ child }) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The floor (bench/floor.mjs) on a free port, answering once it is ready. */
export async function startFloor(databaseUrl) {
  const port = await freePort();
  const child = fork('bench/floor.mjs', {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port) },
  });
  await waitFor(`http://127.0.0.1:${port}/api/v1/users/00000000-0000-0000-0000-000000000000`, child);
  return { child, base: `http://127.0.0.1:${port}` };
}

/** CPU time a process has used (user + system), in clock ticks: 100 a second on Linux. */
export function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/**
 * A load client's `call(method, path, { body, token, expected })`: paced by `pace`, each answer
 * (status 0 when none came) given to `onAnswer(startedAt, ms, status, expected, { method, url, json })`.
 */
export function caller(base, pace, onAnswer) {
  return async (method, url, { body, token, expected }) => {
    await pace();
    const started = performance.now();
    let status = 0;
    let json;
    try {
      const response = await fetch(base + url, {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      status = response.status;
      json = response.headers.get('content-type')?.includes('json')
        ? await response.json()
        : await response.text();
    } catch {
      status = 0; // no answer: the connection failed or was cut
    }
    onAnswer(started, performance.now() - started, status, expected, { method, url, json });
    return { status, json };
  };
}

/** A shared token bucket: `rate` requests per second across every client that awaits it, steadily. */
export function pacer(rate) {
  let next = performance.now();
  return async () => {
    const slot = Math.max(next, performance.now());
    next = slot + 1000 / rate;
    const wait = slot - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}

/** The middle value; with an even count, the mean of the two middle ones. */
export function median(values) {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)];
}

/** autocannon `requests` that each take what `make(i)` gives for the i-th request. */
export function cycling(make) {
  return () => {
    let i = 0;
    return [{ setupRequest: (request) => ({ ...request, ...make(i++) }) }];
  };
}
