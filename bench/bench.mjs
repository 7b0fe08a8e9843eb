// npm run bench [-- --runs 3 --duration 10 --connections 32 --skip-deep | --mail-only | --tracing [--sampling 0.1] | --pooler]
// Seeds a PostgreSQL (DATABASE_URL's server, or an embedded one in .data/bench), starts the built app
// in production mode without rate limits, and drives it with autocannon on 127.0.0.1, scenario by
// scenario, with the raw floor (bench/floor.mjs) measured before, between and after the scenarios.
import autocannon from 'autocannon';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PasswordHasher } from '../dist/src/passwords/password-hasher.js';
import {
  cpuTicks,
  cycling,
  freePort,
  median,
  query,
  rssMb,
  serverUrl,
  startBuiltApp,
  startFloor,
  stop,
} from './harness.mjs';
import { renderMarkdown, renderSvg } from './report.mjs';
import { startOtlpSink } from './otlp-sink.mjs';
import { startSmtpSink } from './smtp-sink.mjs';
import {
  apiKeysFor,
  BENCH_PASSWORD,
  seeded as seedUsers,
  seededOrganization,
  tokensFor as signedTokens,
} from './seed.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    'skip-deep': { type: 'boolean', default: false },
    'mail-only': { type: 'boolean', default: false },
    // Every span exported (100% sampling) to a collector stand-in that takes each export and answers 200.
    tracing: { type: 'boolean', default: false },
    // With --tracing: the share of traces sampled (OTEL_TRACES_SAMPLER=parentbased_traceidratio), as
    // production would set it; 1 (the SDK's default, every trace) unless given.
    sampling: { type: 'string', default: '1' },
    pooler: { type: 'boolean', default: false },
  },
});
const RUNS = Number(opts.runs);
const DURATION = Number(opts.duration);
const WARMUP = Number(opts.warmup);
const CONNECTIONS = Number(opts.connections);
const PASSWORD = BENCH_PASSWORD;
const SECRET = randomBytes(32).toString('base64url');
const hasher = new PasswordHasher();
const TICKS_PER_SECOND = 100;
const RESULTS = path.resolve('bench/results');

const log = (...args) => console.info(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);

const seeded = (server, database, count) => seedUsers(server, database, count, { hasher, log });

/** A million audit events in the deep database (kept between runs), one a second back from now. */
async function seededAuditLog(url, count) {
  const [{ n }] = await query(url, 'SELECT count(*)::int AS n FROM audit_events');
  if (n === count) return;
  log(`seeding ${count.toLocaleString()} audit events`);
  await query(url, 'TRUNCATE audit_events');
  await query(
    url,
    `INSERT INTO audit_events (id, occurred_at, type, actor_user_id, subject_user_id, ip_address, details)
     SELECT gen_random_uuid(), now() - i * interval '1 second',
            (ARRAY['login.succeeded', 'login.failed', 'session.logout', 'password.changed'])[1 + i % 4],
            u.id, u.id, '203.0.113.' || (i % 250), '{}'::jsonb
       FROM generate_series(1, $1::int) AS i
       JOIN LATERAL (SELECT id FROM users WHERE email = 'bench-' || (1 + i % 1000) || '@example.com') u ON true`,
    [count],
  );
  await query(url, 'VACUUM ANALYZE audit_events');
}

const tokensFor = (url, emails) => signedTokens(url, emails, SECRET);

// ------------------------------------------------------------------ processes
let smtp;
/** With --tracing, where the app sends its spans. */
let collector;
/** `--pooler`: PgBouncer in front of the bench's server. */
let pooler;

/** The app's tracing: spans to the collector stand-in, every trace or `--sampling` of them. */
function tracingEnv(url) {
  const sampling = Number(opts.sampling);
  if (!(sampling > 0 && sampling <= 1)) throw new Error(`--sampling must be in (0, 1], not ${opts.sampling}`);
  if (sampling === 1) return { OTEL_EXPORTER_OTLP_ENDPOINT: url };
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(sampling),
  };
}

async function startApp(databaseUrl, settings = {}) {
  // Welcome mails left queued by a previous run's sign-ups would be sent during this run's scenarios.
  await query(databaseUrl, `DELETE FROM pgboss.job WHERE name = 'account-email'`);
  const env = { ...(collector ? tracingEnv(collector.url) : {}), ...settings };
  return startBuiltApp({
    databaseUrl: settings.DATABASE_URL ?? databaseUrl,
    secret: SECRET,
    smtpUrl: smtp.url,
    env,
  });
}

/**
 * `--pooler`: `me` and `get-by-id` again with DATABASE_PREPARED_STATEMENTS=false, directly and
 * through PgBouncer in transaction mode (Debian's 1.18, which needs the setting).
 */
async function poolerScenarios(databaseUrl, me, byId) {
  const figures = [];
  const unnamed = { DATABASE_PREPARED_STATEMENTS: 'false' };
  const direct = await startApp(databaseUrl, unnamed);
  figures.push(await measure('me-unnamed', direct, me));
  figures.push(await measure('get-by-id-unnamed', direct, byId));
  await stop(direct);
  const viaPooler = await startApp(databaseUrl, {
    ...unnamed,
    DATABASE_URL: pooler.urlFor(databaseUrl),
    DATABASE_DIRECT_URL: databaseUrl,
  });
  figures.push(await measure('me-pgbouncer', viaPooler, me));
  figures.push(await measure('get-by-id-pgbouncer', viaPooler, byId));
  await stop(viaPooler);
  return figures;
}

/** The floor alone: started, measured, stopped. */
async function measureFloor(databaseUrl, name, requests) {
  const floor = await startFloor(databaseUrl);
  const figures = await measure(name, floor, requests);
  await stop(floor);
  return figures;
}

// ------------------------------------------------------------------ measuring
function cannon(base, requests, seconds) {
  return autocannon({ url: base, connections: CONNECTIONS, duration: seconds, requests });
}

async function measure(name, server, requests) {
  await cannon(server.base, requests(), WARMUP);
  const pid = server.child.pid;
  let peak = rssMb(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
  const before = cpuTicks(pid);
  const result = await cannon(server.base, requests(), DURATION);
  const ticks = cpuTicks(pid) - before;
  clearInterval(sampler);
  const ok = result['2xx'];
  const total = ok + result.non2xx;
  const figures = {
    scenario: name,
    rps: Math.round(total / DURATION),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuUsPerRequest: Math.round((ticks / TICKS_PER_SECOND / Math.max(total, 1)) * 1e6),
    peakRssMb: Math.round(peak),
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
  log(
    `${name.padEnd(16)} ${String(figures.rps).padStart(6)} req/s  p50 ${figures.p50Ms} ms  p99 ${figures.p99Ms} ms  ` +
      `${figures.cpuUsPerRequest} µs CPU/req  ${figures.peakRssMb} MB  non-2xx ${figures.non2xx}`,
  );
  // A scenario answered with errors measures the errors: its figures would look fast and mean nothing.
  if (figures.non2xx > 0)
    throw new Error(
      `${name}: ${figures.non2xx} of ${total} requests were not answered 2xx; no figure is kept`,
    );
  return figures;
}

/**
 * Verifications per second through the app's own PasswordHasher, kept busy by more callers than it
 * has slots: as many at once as it allows (one per core; four at once on two cores is slower).
 */
async function hashRate(seconds = 5) {
  const stored = await hasher.hash(PASSWORD);
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 2 * availableParallelism() }, async () => {
      while (performance.now() < deadline) {
        await hasher.verify(stored, PASSWORD);
        done++;
      }
    }),
  );
  return Math.round(done / seconds);
}

/** Sign-up to the welcome mail's arrival at the SMTP server, one sign-up at a time; the median. */
async function mailDelivery(app, count = 20) {
  const fromRequest = [];
  const fromAnswer = [];
  for (let i = 0; i < count; i++) {
    const email = `mail-${randomUUID()}@example.com`;
    const started = performance.now();
    const response = await fetch(`${app.base}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD, name: 'Mail' }),
    });
    const answered = performance.now();
    if (response.status !== 201) throw new Error(`sign-up answered ${response.status}`);
    const arrived = await smtp.arrival(email);
    fromRequest.push(arrived - started);
    fromAnswer.push(arrived - answered);
  }
  const mailMs = Math.round(median(fromRequest));
  log(
    `welcome mail at the SMTP server ${mailMs} ms after the sign-up request, ` +
      `${Math.round(median(fromAnswer))} ms after its 201 (medians of ${count}; max ${Math.round(Math.max(...fromRequest))} ms)`,
  );
  return mailMs;
}

// ------------------------------------------------------------------ scenarios
async function main() {
  const server = await serverUrl();
  smtp = await startSmtpSink(await freePort());
  if (opts.pooler) {
    await import('../test/support/resolve-ts-sources.cjs');
    const { PgBouncer } = await import('../test/support/pgbouncer.ts');
    pooler = await PgBouncer.start(server.url);
  }
  if (opts.tracing) collector = await startOtlpSink(await freePort());
  try {
    const mainDb = await seeded(server.url, 'gatehouse_bench', 10_000);
    if (opts['mail-only']) return await mailOnly(mainDb);
    const deep = opts['skip-deep'] ? undefined : await seeded(server.url, 'gatehouse_bench_deep', 1_000_000);
    if (deep) await seededAuditLog(deep, 1_000_000);
    // The bench's 1,000 users (bench-1…) and its admin in one organization: `org-get` is `me` plus the
    // membership check; a 100,000-member organization in the deep database for its member list.
    const team = await seededOrganization(mainDb, 'bench-members-1000', 1000, { log });
    const crowd = deep && (await seededOrganization(deep, 'bench-members-100000', 100_000, { log }));
    const ids = (await query(mainDb, `SELECT id FROM users WHERE role = 'user'`)).map((r) => r.id);
    const emails = Array.from({ length: 1000 }, (_, i) => `bench-${i + 1}@example.com`);
    const runs = [];

    for (let run = 1; run <= RUNS; run++) {
      log(`run ${run} of ${RUNS}`);
      const tokens = await tokensFor(mainDb, emails);
      const [admin] = await tokensFor(mainDb, ['bench-admin@example.com']);
      const byId = (token) =>
        cycling(() => ({
          method: 'GET',
          path: `/api/v1/users/${ids[Math.floor(Math.random() * ids.length)]}`,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }));
      // The floor three times a run, so that every scenario is compared with floors measured within
      // about a minute of it: before `me` and `get-by-id`, between them and the rest, and at the end.
      const floors = [await measureFloor(mainDb, 'floor (1 of 3)', byId())];

      const app = await startApp(mainDb);
      const mailDeliveryMs = await mailDelivery(app);
      // Scenarios between the first and second floors, then between the second and third.
      const stretch1 = [];
      const me = cycling((i) => ({
        method: 'GET',
        path: '/api/v1/users/me',
        headers: { authorization: `Bearer ${tokens[i % tokens.length]}` },
      }));
      stretch1.push({ ...(await measure('me', app, me)), bootMs: Math.round(app.bootMs) });
      stretch1.push(await measure('get-by-id', app, byId(admin)));
      // `me` again, each request with one of 1,000 API keys instead of an access token.
      const keys = await apiKeysFor(mainDb, emails, SECRET);
      stretch1.push(
        await measure(
          'me-api-key',
          app,
          cycling((i) => ({
            method: 'GET',
            path: '/api/v1/users/me',
            headers: { authorization: `Bearer ${keys[i % keys.length]}` },
          })),
        ),
      );
      // An organization-scoped read: the caller's membership is read on every request (I15).
      stretch1.push(
        await measure(
          'org-get',
          app,
          cycling((i) => ({
            method: 'GET',
            path: `/api/v1/organizations/${team}`,
            headers: { authorization: `Bearer ${tokens[i % tokens.length]}` },
          })),
        ),
      );
      if (opts.pooler) stretch1.push(...(await poolerScenarios(mainDb, me, byId(admin))));
      floors.push(await measureFloor(mainDb, 'floor (2 of 3)', byId()));

      const stretch2 = [];
      // The hash rate alone right before and after the logins, for the same reason as the floor's.
      const hashesBefore = await hashRate();
      stretch2.push(
        await measure(
          'login',
          app,
          cycling((i) => ({
            method: 'POST',
            path: '/api/v1/auth/login',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: emails[i % emails.length], password: PASSWORD }),
          })),
        ),
      );
      const hashesAfter = await hashRate();
      const hashesPerSecond = Math.round((hashesBefore + hashesAfter) / 2);
      log(
        `argon2id verifications alone: ${hashesPerSecond}/s (${hashesBefore} before, ${hashesAfter} after)`,
      );
      const prefix = randomUUID().slice(0, 8);
      stretch2.push(
        await measure(
          'signup',
          app,
          cycling((i) => ({
            method: 'POST',
            path: '/api/v1/users',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              email: `new-${prefix}-${i}-${Math.random()}@example.com`,
              password: PASSWORD,
              name: 'New',
            }),
          })),
        ),
      );
      await stop(app);

      if (deep) {
        // The token first: it installs the bench's signing key when the one the database keeps (from
        // an earlier run, sealed with that run's secret) does not open, and the app must boot on it.
        const [deepAdmin] = await tokensFor(deep, ['bench-admin@example.com']);
        const deepApp = await startApp(deep);
        const [position] = await query(
          deep,
          'SELECT created_at, id FROM users ORDER BY created_at DESC, id DESC OFFSET 900000 LIMIT 1',
        );
        const cursor = Buffer.from(`${position.created_at.toISOString()}|${position.id}`).toString(
          'base64url',
        );
        const list = (suffix) => () => [
          {
            method: 'GET',
            path: `/api/v1/users?limit=20${suffix}`,
            headers: { authorization: `Bearer ${deepAdmin}` },
          },
        ];
        // Each list beside its own floor: node:http + pg serving the same page with the same query.
        const listFloor = await startFloor(deep);
        const beside = async (name, requests) => {
          const figures = await measure(name, deepApp, requests);
          const floor = await measure(`${name} (floor)`, listFloor, requests);
          return {
            ...figures,
            xListFloor: +(figures.rps / floor.rps).toFixed(2),
            xListFloorCpu: +(figures.cpuUsPerRequest / floor.cpuUsPerRequest).toFixed(2),
          };
        };
        stretch2.push(await beside('list-first', list('')));
        stretch2.push(await beside('list-deep', list(`&cursor=${cursor}`)));
        // The audit log's list, a million events long: the first page, and one 900,000 events deep.
        const [event] = await query(
          deep,
          'SELECT occurred_at, id FROM audit_events ORDER BY occurred_at DESC, id DESC OFFSET 900000 LIMIT 1',
        );
        const eventCursor = Buffer.from(`${event.occurred_at.toISOString()}|${event.id}`).toString(
          'base64url',
        );
        const events = (suffix) => () => [
          {
            method: 'GET',
            path: `/api/v1/audit-events?limit=20${suffix}`,
            headers: { authorization: `Bearer ${deepAdmin}` },
          },
        ];
        stretch2.push(await beside('audit-first', events('')));
        stretch2.push(await beside('audit-deep', events(`&cursor=${eventCursor}`)));
        // An organization of 100,000 members: the first page, and one 90,000 members deep.
        const [member] = await query(
          deep,
          `SELECT created_at, user_id FROM memberships WHERE organization_id = $1
            ORDER BY created_at DESC, user_id DESC OFFSET 90000 LIMIT 1`,
          [crowd],
        );
        const memberCursor = Buffer.from(`${member.created_at.toISOString()}|${member.user_id}`).toString(
          'base64url',
        );
        const members = (suffix) => () => [
          {
            method: 'GET',
            path: `/api/v1/organizations/${crowd}/members?limit=20${suffix}`,
            headers: { authorization: `Bearer ${deepAdmin}` },
          },
        ];
        stretch2.push(await beside('org-members-first', members('')));
        stretch2.push(await beside('org-members-deep', members(`&cursor=${memberCursor}`)));
        await stop(listFloor);
        await stop(deepApp);
      }
      floors.push(await measureFloor(mainDb, 'floor (3 of 3)', byId()));

      // Throughput and CPU per request as multiples of the floor's, measured around them in this run.
      const relative = (measured, [a, b]) =>
        measured.map((f) => ({
          ...f,
          xFloor: +(f.rps / ((a.rps + b.rps) / 2)).toFixed(2),
          xFloorCpu: +(f.cpuUsPerRequest / ((a.cpuUsPerRequest + b.cpuUsPerRequest) / 2)).toFixed(2),
        }));
      const scenarios = [...relative(stretch1, floors.slice(0, 2)), ...relative(stretch2, floors.slice(1))];
      const login = scenarios.find((f) => f.scenario === 'login');
      login.xHashRate = +(login.rps / hashesPerSecond).toFixed(2);
      runs.push({ run, floors, hashesPerSecond, mailDeliveryMs, scenarios });
    }

    const summary = summarise(runs);
    mkdirSync(RESULTS, { recursive: true });
    const report = {
      date: new Date().toISOString(),
      machine: machine(),
      settings: {
        runs: RUNS,
        durationSeconds: DURATION,
        warmupSeconds: WARMUP,
        connections: CONNECTIONS,
        tracing: collector ? { sampling: Number(opts.sampling), ...collector.received() } : false,
      },
      summary,
      runs,
    };
    writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(RESULTS, 'latest.md'), renderMarkdown(report));
    writeFileSync(path.join(RESULTS, 'latency.svg'), renderSvg(report));
    console.info(`\n${renderMarkdown(report)}`);
  } finally {
    await collector?.close();
    await pooler?.stop();
    await smtp.close();
    await server.stop();
  }
}

/** `--mail-only`: the mail scenario alone, RUNS times on a fresh app; nothing is written. */
async function mailOnly(databaseUrl) {
  const medians = [];
  for (let run = 1; run <= RUNS; run++) {
    const app = await startApp(databaseUrl);
    medians.push(await mailDelivery(app));
    await stop(app);
  }
  log(
    `welcome mail after sign-up: median ${median(medians)} ms over ${RUNS} runs (${medians.join(', ')} ms)`,
  );
}

/** Medians over the runs, scenario by scenario. */
function summarise(runs) {
  const names = runs[0].scenarios.map((s) => s.scenario);
  // A figure no run measured (the list floors under --skip-deep) stays out of the summary, not NaN.
  const pick = (name, key) => {
    const values = runs
      .map((r) => r.scenarios.find((s) => s.scenario === name)[key])
      .filter((v) => v !== undefined);
    return values.length > 0 ? median(values) : undefined;
  };
  const floor = (key) => median(runs.flatMap((r) => r.floors.map((f) => f[key])));
  return {
    floor: {
      rps: floor('rps'),
      p50Ms: floor('p50Ms'),
      p99Ms: floor('p99Ms'),
      cpuUsPerRequest: floor('cpuUsPerRequest'),
      peakRssMb: floor('peakRssMb'),
    },
    hashesPerSecond: median(runs.map((r) => r.hashesPerSecond)),
    mailDeliveryMs: median(runs.map((r) => r.mailDeliveryMs)),
    scenarios: names.map((name) => ({
      scenario: name,
      ...Object.fromEntries(
        [
          'rps',
          'p50Ms',
          'p99Ms',
          'cpuUsPerRequest',
          'peakRssMb',
          'non2xx',
          'xFloor',
          'xFloorCpu',
          'xHashRate',
          'xListFloor',
          'xListFloorCpu',
          'bootMs',
        ].map((k) => [k, pick(name, k)]),
      ),
    })),
  };
}

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length;
  const memGb = Math.round(
    Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) / 1024 / 1024,
  );
  return { cpu, cores, memGb, node: process.version };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
