// npm run fleet [-- --short] [--rate 80] [--clients 16]
// A fleet on this machine, with faults: 3 API instances and 1 worker behind HAProxy (Debian's; health
// checks on /health/ready, retries on connection failure), PostgreSQL primary + streaming replica
// (this machine's binaries) + PgBouncer in transaction mode, and a Redis of its own. It drives the
// soak's mixed traffic through HAProxy while it (a) SIGTERMs each instance in turn and starts it
// again, (b) SIGKILLs one, (c) stops the replica for 30 s, (d) restarts Redis; then reports
// requests, errors by route class and kind and p99 per phase (bench/results/fleet.json, fleet.md).
// It fails on a lost write (a sign-up answered 201 that cannot log in afterwards), on any error in
// (a) or (c), and on any error in (d) but the documented refusal (503
// /problems/dependency-unavailable) of a route that needs Redis (docs/operations.md, "When Redis is away").
// `--short` (CI) runs the rolling restart alone.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import '../test/support/resolve-ts-sources.cjs';
import { caller, freePort, pacer, query, startBuiltApp, stop, waitFor } from './harness.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

const { StreamingReplication } = await import('../test/support/streaming-replication.ts');
const { PgBouncer } = await import('../test/support/pgbouncer.ts');

const { values: opts } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    rate: { type: 'string', default: '80' },
    clients: { type: 'string', default: '16' },
  },
});
const RATE = Number(opts.rate);
const CLIENTS = Number(opts.clients);
const PASSWORD = 'fleet password 2026';
const RESULTS = path.resolve('bench/results');
const log = (...args) => console.info(`[fleet ${new Date().toISOString().slice(11, 19)}]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ the parts
/** Redis on a port of its own, so that restarting it touches nothing else on the machine. */
async function startRedis(port) {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
      return child;
    } catch {
      await sleep(50);
    }
  }
  throw new Error('redis-server did not start');
}

function startHaproxy(port, instances, dir) {
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    `global
  maxconn 4000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # A request that could not reach an instance is sent to another: it never ran.
  retries 3
  option redispatch 1
  retry-on conn-failure
frontend api
  bind 127.0.0.1:${port}
  default_backend instances
backend instances
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
  # Down after one failed check (readiness fails for SHUTDOWN_GRACE_MS before an instance stops
  # accepting), up after two good ones.
  default-server inter 400ms fall 1 rise 2
${instances.map((p, i) => `  server api${i + 1} 127.0.0.1:${p} check`).join('\n')}
`,
  );
  execFileSync('haproxy', ['-c', '-q', '-f', config]);
  return spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// ------------------------------------------------------------------ traffic
/**
 * Every answer, with when it was asked (so that each can be given to the phase it fell in) and its
 * route's class: `read`, `write`, or `guarded` (sign-up and sign-in, which refuse while Redis is away).
 */
class Record {
  calls = [];
  add(at, ms, status, expected, route, json) {
    const refused = route === 'guarded' && status === 503 && json?.type === REFUSED;
    const type = status >= 400 && typeof json?.type === 'string' ? json.type.replace('/problems/', '') : '';
    this.calls.push({ at, ms, status, type, route, refused, ok: expected.includes(status) });
  }
}
const REFUSED = '/problems/dependency-unavailable';

/** The soak's client, plus the admin's user list (a replica read): it keeps every sign-up it made. */
async function client(base, record, pace, running, admin, signedUp) {
  const call = caller(base, pace, (at, ms, status, expected, { method, url, json }) =>
    record.add(at, ms, status, expected, classOf(method, url), json),
  );
  while (running()) {
    const email = `fleet-${randomUUID()}@example.com`;
    const created = await call('POST', '/api/v1/users', {
      body: { email, password: PASSWORD, name: 'Fleet' },
      expected: [201],
    });
    if (created.status !== 201) continue;
    signedUp.push(email);
    const signedIn = await call('POST', '/api/v1/auth/login', {
      body: { email, password: PASSWORD },
      expected: [200],
    });
    if (signedIn.status !== 200) continue;
    let { accessToken, refreshToken } = signedIn.json;
    for (let round = 0; round < 6 && running(); round++) {
      await call('GET', '/api/v1/users/me', { token: accessToken, expected: [200] });
      await call('GET', `/api/v1/users/${created.json.id}`, { token: accessToken, expected: [200] });
      await call('PATCH', '/api/v1/users/me', {
        token: accessToken,
        body: { name: `Fleet ${round}` },
        expected: [200],
      });
      await call('GET', '/api/v1/users?limit=20', { token: admin, expected: [200] });
      const refreshed = await call('POST', '/api/v1/auth/refresh', {
        body: { refreshToken },
        expected: [200],
      });
      if (refreshed.status === 200) ({ accessToken, refreshToken } = refreshed.json);
    }
  }
}

const classOf = (method, url) =>
  method === 'GET'
    ? 'read'
    : method === 'POST' && (url === '/api/v1/users' || url === '/api/v1/auth/login')
      ? 'guarded'
      : 'write';

const percentile = (values, p) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Requests, errors by kind and p99 for each phase's span of time. */
function byPhase(record, phases) {
  return phases.map(({ name, from, to, strict, refusalsAllowed }) => {
    const calls = record.calls.filter((c) => c.at >= from && c.at < to);
    const kinds = {};
    for (const failed of calls.filter((c) => !c.ok)) {
      const kind =
        failed.status === 0
          ? 'no answer'
          : failed.refused
            ? '503 refused'
            : `${failed.status >= 500 ? '' : 'unexpected '}${failed.status} ${failed.type}`.trim();
      kinds[`${failed.route} ${kind}`] = (kinds[`${failed.route} ${kind}`] ?? 0) + 1;
    }
    const refused = calls.filter((c) => c.refused).length;
    return {
      phase: name,
      seconds: +((to - from) / 1000).toFixed(1),
      requests: calls.length,
      // A documented refusal is the answer the phase expects of a guarded route, not an error.
      errors: calls.filter((c) => !c.ok).length - (refusalsAllowed ? refused : 0),
      refused,
      errorKinds: kinds,
      p99Ms: +percentile(
        calls.map((c) => c.ms),
        99,
      ).toFixed(1),
      strict,
    };
  });
}

// ------------------------------------------------------------------ capacity
/** `GET /users/me` as fast as 32 connections through HAProxy go, for 10 s. */
async function throughput(base, token) {
  const result = await autocannon({
    url: `${base}/api/v1/users/me`,
    connections: 32,
    duration: 10,
    headers: { authorization: `Bearer ${token}` },
  });
  return { rps: Math.round(result.requests.average), p99Ms: result.latency.p99, non2xx: result.non2xx };
}

/** Client connections the primary holds now (the fleet's, through the pooler and direct). */
async function primaryConnections(url) {
  const [{ n }] = await query(
    url,
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
  );
  return n;
}

// ------------------------------------------------------------------ the run
async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-fleet-'));
  const cleanup = [];
  try {
    log('PostgreSQL primary and streaming replica');
    const cluster = await StreamingReplication.start();
    cleanup.push(() => cluster.stop());
    const pooler = await PgBouncer.start(cluster.primaryUrl, { poolSize: 20 });
    cleanup.push(() => pooler.stop());
    const redisPort = await freePort();
    let redis = await startRedis(redisPort);
    cleanup.push(() => redis.kill('SIGKILL'));
    const smtp = await startSmtpSink(await freePort());
    cleanup.push(() => smtp.close());

    const shared = {
      DATABASE_URL: pooler.urlFor(cluster.primaryUrl),
      DATABASE_DIRECT_URL: cluster.primaryUrl,
      DATABASE_REPLICA_URLS: cluster.replicaUrl,
      DATABASE_PREPARED_STATEMENTS: 'false',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      // The limits on, as in production, so that the counters are in Redis when it restarts; their
      // budgets out of reach, since every request comes from one address (HAProxy's).
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
      RATE_LIMIT_SIGNUP_PER_HOUR: '1000000',
      AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
      AUTH_MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: smtp.url,
      JOBS_WORKERS_ENABLED: 'false',
      SHUTDOWN_GRACE_MS: '1500',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
    const cliEnv = { ...process.env, ...shared, NODE_ENV: 'production' };
    execFileSync(process.execPath, ['dist/src/migrations/migrations.cli.js', 'run'], {
      env: cliEnv,
      stdio: 'ignore',
    });
    const adminEmail = 'fleet-admin@example.com';
    execFileSync(
      process.execPath,
      ['dist/src/cli/cli.js', 'create-admin', '--email', adminEmail, '--name', 'Fleet Admin'],
      {
        env: { ...cliEnv, ADMIN_PASSWORD: PASSWORD },
        stdio: 'ignore',
      },
    );

    const ports = [await freePort(), await freePort(), await freePort()];
    const start = async (i) =>
      startBuiltApp({
        databaseUrl: shared.DATABASE_URL,
        secret: shared.AUTH_JWT_SECRET,
        smtpUrl: smtp.url,
        readyPath: '/health/ready',
        env: shared,
        port: ports[i],
      });
    const instances = [];
    for (let i = 0; i < 3; i++) instances.push(await start(i));
    cleanup.push(() => Promise.all(instances.map((instance) => stop(instance))));
    const worker = spawn(process.execPath, ['dist/src/worker.js'], {
      env: { ...process.env, ...shared, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    cleanup.push(() => stop({ child: worker }));
    const haproxyPort = await freePort();
    const haproxy = startHaproxy(haproxyPort, ports, dir);
    cleanup.push(() => haproxy.kill('SIGTERM'));
    const base = `http://127.0.0.1:${haproxyPort}`;
    await waitFor(`${base}/health/ready`, haproxy);
    log(`3 instances and a worker behind HAProxy at ${base}`);

    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: adminEmail, password: PASSWORD }),
    });
    const admin = (await login.json()).accessToken;

    // Traffic runs through every phase.
    const record = new Record();
    const signedUp = [];
    let trafficOn = true;
    const pace = pacer(RATE);
    const clients = Array.from({ length: CLIENTS }, () =>
      client(base, record, pace, () => trafficOn, admin, signedUp),
    );
    const phases = [];
    const phase = async (name, strict, run, { refusalsAllowed = false } = {}) => {
      const from = performance.now();
      log(`phase: ${name}`);
      await run();
      phases.push({ name, from, to: performance.now(), strict, refusalsAllowed });
    };
    const settle = (name, ms) => phase(name, false, () => sleep(ms));
    /** Until HAProxy has checked the instance twice and sends it requests again. */
    const restart = async (i) => {
      instances[i] = await start(i);
      await sleep(1_500);
    };

    await settle('before', opts.short ? 5_000 : 15_000);
    await phase('a: rolling restart (SIGTERM each, start again)', true, async () => {
      for (let i = 0; i < 3; i++) {
        await stop(instances[i]);
        await restart(i);
      }
    });
    await settle('after a', opts.short ? 5_000 : 10_000);
    if (!opts.short) {
      await phase('b: SIGKILL one instance, start it again', false, async () => {
        instances[1].child.kill('SIGKILL');
        await sleep(3_000);
        await restart(1);
      });
      await settle('after b', 10_000);
      await phase('c: the replica stopped for 30 s', true, async () => {
        await cluster.stopReplica();
        await sleep(30_000);
        await cluster.startReplica();
      });
      await settle('after c', 10_000);
      // Strict but for the refusals: reads and writes must not fail while Redis is away.
      await phase(
        'd: Redis restarted',
        true,
        async () => {
          redis.kill('SIGKILL');
          await sleep(2_000);
          redis = await startRedis(redisPort);
          await sleep(3_000);
        },
        { refusalsAllowed: true },
      );
      await settle('after d', 15_000);
    }
    trafficOn = false;
    await Promise.all(clients);

    // Every sign-up that was answered 201 must sign in now.
    log(`checking that each of ${signedUp.length} sign-ups can log in`);
    const lost = [];
    for (let i = 0; i < signedUp.length; i += 8) {
      await Promise.all(
        signedUp.slice(i, i + 8).map(async (email) => {
          const answer = await fetch(`${base}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password: PASSWORD }),
          });
          if (answer.status !== 200) lost.push(`${email}: ${answer.status}`);
        }),
      );
    }
    const [{ n: connections }] = await query(
      cluster.primaryUrl,
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name LIKE 'gatehouse%'`,
    );

    const report = {
      date: new Date().toISOString(),
      settings: { short: opts.short, rate: RATE, clients: CLIENTS },
      phases: byPhase(record, phases),
      signUps: signedUp.length,
      lostWrites: lost.length,
      primaryConnections: connections,
    };
    if (!opts.short) {
      // Capacity on this 2-core machine: 3 instances, then 1, through HAProxy; and what the primary
      // holds for 3 instances with PgBouncer in front and without it, right after the same load.
      log('capacity: 3 instances through PgBouncer');
      const three = await throughput(base, admin);
      const pooled = await primaryConnections(cluster.primaryUrl);
      for (const instance of instances.slice(1)) await stop(instance);
      await sleep(1_500);
      log('capacity: 1 instance');
      const one = await throughput(base, admin);
      await stop(instances[0]);
      const direct = {
        DATABASE_URL: cluster.primaryUrl,
        DATABASE_DIRECT_URL: '',
        DATABASE_PREPARED_STATEMENTS: 'true',
      };
      for (let i = 0; i < 3; i++)
        instances[i] = await startBuiltApp({
          databaseUrl: cluster.primaryUrl,
          secret: shared.AUTH_JWT_SECRET,
          smtpUrl: smtp.url,
          readyPath: '/health/ready',
          env: { ...shared, ...direct },
          port: ports[i],
        });
      await sleep(1_500);
      log('capacity: 3 instances without PgBouncer');
      const threeDirect = await throughput(base, admin);
      report.capacity = {
        threeInstances: three,
        oneInstance: one,
        threeInstancesWithoutPooler: threeDirect,
        primaryConnectionsWithPgBouncer: pooled,
        primaryConnectionsWithoutPgBouncer: await primaryConnections(cluster.primaryUrl),
      };
    }
    mkdirSync(RESULTS, { recursive: true });
    const name = opts.short ? 'fleet-short' : 'fleet';
    writeFileSync(path.join(RESULTS, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    const table = [
      '| phase | s | requests | errors | refused (503 dependency-unavailable) | by route class and kind | p99 ms |',
      '| --- | ---: | ---: | ---: | ---: | --- | ---: |',
      ...report.phases.map(
        (p) =>
          `| ${p.phase} | ${p.seconds} | ${p.requests} | ${p.errors} | ${p.refused} | ${JSON.stringify(p.errorKinds)} | ${p.p99Ms} |`,
      ),
    ].join('\n');
    const summary =
      `${table}\n\nsign-ups answered 201: ${report.signUps}; lost: ${report.lostWrites}; ` +
      `connections to the primary at the end: ${connections}\n` +
      (report.capacity ? `\ncapacity: ${JSON.stringify(report.capacity, null, 2)}\n` : '');
    writeFileSync(path.join(RESULTS, `${name}.md`), summary);
    console.info(`\n${summary}`);

    const failures = [
      ...lost.slice(0, 10).map((line) => `lost write: ${line}`),
      ...report.phases
        .filter((p) => p.strict && p.errors > 0)
        .map((p) => `${p.errors} errors in "${p.phase}"`),
    ];
    if (failures.length > 0) {
      console.error(`fleet FAILED:\n  ${failures.join('\n  ')}`);
      process.exitCode = 1;
    } else log('fleet passed');
  } finally {
    for (const step of cleanup.toReversed()) await Promise.resolve(step()).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
