import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/**
 * Redis for the suites that need one (shared counters, the login lock across instances): a
 * `redis-server` of the run's own, found on PATH and started by global-setup on a free port
 * (TEST_REDIS_URL), as the embedded PostgreSQL is. Where there is none, exactly those suites are
 * skipped, each with one line naming what to install; with TEST_REQUIRE_SERVICES=true (CI) the run
 * fails instead.
 */
const INSTALL_REDIS =
  'no redis-server could be started from PATH: install one (Debian: apt-get install redis-server) to run this suite';

/**
 * Started by global-setup; stopped by `stop`. Undefined when redis-server is not on PATH. On `port`
 * when given: a suite that stops its Redis starts the next one where its app reconnects.
 */
export async function startRedisServer(
  port?: number,
): Promise<{ url: string; port: number; stop: () => Promise<void> } | undefined> {
  port ??= await freePort();
  const server: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const started = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.once('spawn', () => resolve(true));
  });
  if (!started) return undefined;
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        server.kill('SIGKILL');
        throw new Error(`redis-server did not answer on port ${port}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  return {
    url,
    port,
    stop: async () => {
      server.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A redis-server of the caller's own; where none can start, undefined and one line saying what is
 * skipped and what to install, or (TEST_REQUIRE_SERVICES=true, as in CI) an error.
 */
export async function startRedisServerOrSkip(skipped: string, port?: number) {
  const server = await startRedisServer(port);
  if (server) return server;
  if (process.env.TEST_REQUIRE_SERVICES === 'true')
    throw new Error(`TEST_REQUIRE_SERVICES=true and ${INSTALL_REDIS}`);
  console.warn(`skipped ${skipped}: ${INSTALL_REDIS}`);
  return undefined;
}

/** The run's Redis, or undefined (and one line saying what to install) when there is none. */
function runRedis(suite: string): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url) console.warn(`skipped ${suite}: ${INSTALL_REDIS}`);
  return url;
}

/** `describe` for a suite that needs Redis; `describe.skip` (with its one line) where there is none. */
export function describeWithRedis(name: string, body: () => void): void {
  if (runRedis(name)) describe(name, body);
  else describe.skip(name, body);
}

/** The run's Redis for a part of a suite that needs one, or undefined (its line printed) when there is none. */
export function redisIfAny(what: string): string | undefined {
  return runRedis(what);
}

/**
 * A database of the run's Redis that a suite has to itself, emptied before it starts: rate-limit
 * counters and locks outlive the suite that made them, and a second suite must not start where the
 * first one stopped. Databases 1 to 15 are handed out by suite (0 is left alone).
 */
export async function freshRedisDatabase(database: number): Promise<string> {
  const url = `${process.env.TEST_REDIS_URL}/${database}`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
  return url;
}
