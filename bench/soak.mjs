// npm run soak [-- --minutes 10 --rate 150 --clients 24]: mixed traffic at a steady rate against the
// built app in production mode (sign-ups, logins, refreshes, reads, updates), reporting errors, p99
// latency, the server's RSS and the rows of the tables retention keeps in check over time
// (bench/results/soak.json, soak.md, soak.svg). It fails on any 5xx, on any answer a well-behaved
// client should not get, on memory that keeps growing, or on such a table that keeps growing.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { migrations } from '../dist/migrations/index.js';
import { runMigrationsLocked } from '../dist/src/migrations/migrate.js';
import {
  caller,
  freePort,
  pacer,
  query,
  rssMb,
  serverUrl,
  startBuiltApp,
  stop,
  withDatabase,
} from './harness.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '150' },
    clients: { type: 'string', default: '24' },
  },
});
const SECONDS = Number(opts.minutes) * 60;
const RATE = Number(opts.rate);
const CLIENTS = Number(opts.clients);
const WINDOW_S = 10;
/**
 * Sessions end within minutes here, and the retention job runs every minute, so that ten minutes
 * show whether ended sessions and expired tokens are deleted as fast as steady traffic makes them.
 */
const SHORT_LIVES = {
  AUTH_REFRESH_TOKEN_TTL: '3m',
  AUTH_SESSION_IDLE_TTL: '1m',
  AUTH_VERIFY_EMAIL_TTL: '1m',
  RETENTION_ENDED_SESSIONS: '1m',
  RETENTION_SCHEDULE: '* * * * *',
};
/** The tables retention keeps in check (users grow by design: every client keeps signing up). */
const RETAINED = ['sessions', 'refresh_tokens', 'account_tokens'];
const PASSWORD = 'soak password 2026';
const RESULTS = path.resolve('bench/results');
const log = (...args) => console.info(`[soak ${new Date().toISOString().slice(11, 19)}]`, ...args);

// ------------------------------------------------------------------ the app
async function freshDatabase(server) {
  const database = `gatehouse_soak_${randomBytes(4).toString('hex')}`;
  await query(server, `CREATE DATABASE ${database}`);
  const url = withDatabase(server, database);
  const ds = new DataSource({ type: 'postgres', url, migrations });
  await ds.initialize();
  await runMigrationsLocked(ds);
  await ds.destroy();
  return { url, drop: () => query(server, `DROP DATABASE ${database} WITH (FORCE)`) };
}

// ------------------------------------------------------------------ traffic
/** Everything a response can say that matters here, per time window. */
class Windows {
  windows = [];
  constructor(started) {
    this.started = started;
  }
  at(now) {
    const index = Math.floor((now - this.started) / 1000 / WINDOW_S);
    this.windows[index] ??= { second: index * WINDOW_S, latencies: [], byStatus: {}, unexpected: 0 };
    return this.windows[index];
  }
  record(now, ms, status, expected) {
    const w = this.at(now);
    w.latencies.push(ms);
    w.byStatus[status] = (w.byStatus[status] ?? 0) + 1;
    if (!expected.includes(status)) w.unexpected++;
  }
}

/** One client: signs up, then logs in, reads, updates and refreshes, now and then signing up again. */
async function client(base, windows, pace, deadline) {
  // Date.now(): the windows are wall-clock seconds from the start.
  const call = caller(base, pace, (_started, ms, status, expected) =>
    windows.record(Date.now(), ms, status, expected),
  );
  while (Date.now() < deadline) {
    const email = `soak-${randomUUID()}@example.com`;
    const created = await call('POST', '/api/v1/users', {
      body: { email, password: PASSWORD, name: 'Soak' },
      expected: [201],
    });
    if (created.status !== 201) continue;
    const signedIn = await call('POST', '/api/v1/auth/login', {
      body: { email, password: PASSWORD },
      expected: [200],
    });
    if (signedIn.status !== 200) continue;
    let { accessToken, refreshToken } = signedIn.json;
    for (let round = 0; round < 8 && Date.now() < deadline; round++) {
      await call('GET', '/api/v1/users/me', { token: accessToken, expected: [200] });
      await call('GET', `/api/v1/users/${created.json.id}`, { token: accessToken, expected: [200] });
      await call('PATCH', '/api/v1/users/me', {
        token: accessToken,
        body: { name: `Soak ${round}` },
        expected: [200],
      });
      await call('GET', `/api/v1/users/${randomUUID()}`, { token: accessToken, expected: [404] });
      const refreshed = await call('POST', '/api/v1/auth/refresh', {
        body: { refreshToken },
        expected: [200],
      });
      if (refreshed.status === 200) ({ accessToken, refreshToken } = refreshed.json);
    }
    // Half the time the client walks away instead of logging out: its session ends idle, as most do.
    if (Math.random() < 0.5)
      await call('POST', '/api/v1/auth/logout', { token: accessToken, expected: [204] });
  }
}

// ------------------------------------------------------------------ report
const percentile = (values, p) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

async function rowCounts(url) {
  const counts = {};
  for (const table of RETAINED)
    counts[table] = (await query(url, `SELECT count(*)::int AS n FROM ${table}`))[0].n;
  return counts;
}

/** Per table: the median count of the last quarter against the second's (the first is warm-up). */
function tableGrowth(samples) {
  const quarter = (q) =>
    samples.filter((r) => r.second >= (SECONDS * q) / 4 && r.second < (SECONDS * (q + 1)) / 4);
  return Object.fromEntries(
    RETAINED.map((table) => {
      const median = (rows) =>
        percentile(
          rows.map((r) => r.counts[table]),
          50,
        );
      const second = median(quarter(1));
      const last = median(quarter(3));
      return [
        table,
        { secondQuarter: second, lastQuarter: last, growth: +(last / Math.max(second, 1) - 1).toFixed(3) },
      ];
    }),
  );
}

function summarise(windows, rss) {
  const rows = windows.windows.filter(Boolean).map((w) => ({
    second: w.second,
    requests: w.latencies.length,
    p50Ms: +percentile(w.latencies, 50).toFixed(1),
    p99Ms: +percentile(w.latencies, 99).toFixed(1),
    serverErrors: Object.entries(w.byStatus)
      .filter(([s]) => Number(s) >= 500 || Number(s) === 0)
      .reduce((n, [, c]) => n + c, 0),
    unexpected: w.unexpected,
    rssMb: Math.round(
      Math.max(
        ...rss.filter((r) => r.second >= w.second && r.second < w.second + WINDOW_S).map((r) => r.mb),
        0,
      ),
    ),
  }));
  // Growth: the RSS of the last quarter against the second quarter (the first is warm-up).
  const quarter = (q) =>
    rss.filter((r) => r.second >= (SECONDS * q) / 4 && r.second < (SECONDS * (q + 1)) / 4);
  const medianMb = (xs) =>
    percentile(
      xs.map((r) => r.mb),
      50,
    );
  const growth = medianMb(quarter(3)) / medianMb(quarter(1)) - 1;
  return {
    rows,
    total: rows.reduce((n, r) => n + r.requests, 0),
    serverErrors: rows.reduce((n, r) => n + r.serverErrors, 0),
    unexpected: rows.reduce((n, r) => n + r.unexpected, 0),
    rssGrowth: +growth.toFixed(3),
    rssSecondQuarterMb: Math.round(medianMb(quarter(1))),
    rssLastQuarterMb: Math.round(medianMb(quarter(3))),
  };
}

function svg(rows) {
  const W = 720;
  const H = 260;
  const pad = 40;
  const maxS = Math.max(...rows.map((r) => r.second), 1);
  const maxP99 = Math.max(...rows.map((r) => r.p99Ms), 1);
  const maxRss = Math.max(...rows.map((r) => r.rssMb), 1);
  const x = (s) => pad + ((W - 2 * pad) * s) / maxS;
  const y = (v, max) => H - pad - ((H - 2 * pad) * v) / max;
  const line = (key, max) =>
    rows.map((r, i) => `${i ? 'L' : 'M'}${x(r.second).toFixed(1)},${y(r[key], max).toFixed(1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
  <rect width="${W}" height="${H}" fill="white"/>
  <text x="${pad}" y="18" font-size="13">Soak: p99 latency (blue, max ${maxP99} ms) and server RSS (orange, max ${maxRss} MB) over ${Math.round(maxS / 60)} min</text>
  <line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#999"/>
  <line x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}" stroke="#999"/>
  <text x="${W - pad}" y="${H - pad + 16}" text-anchor="end">${maxS} s</text>
  <text x="${pad}" y="${H - pad + 16}">0</text>
  <path d="${line('p99Ms', maxP99)}" fill="none" stroke="#1f77b4" stroke-width="2"/>
  <path d="${line('rssMb', maxRss)}" fill="none" stroke="#ff7f0e" stroke-width="2"/>
</svg>
`;
}

// ------------------------------------------------------------------ run
async function main() {
  const server = await serverUrl('soak');
  const smtp = await startSmtpSink(await freePort());
  const database = await freshDatabase(server.url);
  const app = await startBuiltApp({
    databaseUrl: database.url,
    secret: randomBytes(32).toString('base64url'),
    smtpUrl: smtp.url,
    readyPath: '/health/ready',
    env: SHORT_LIVES,
  });
  try {
    log(`${opts.minutes} min at ${RATE} requests/s from ${CLIENTS} clients against ${app.base}`);
    const started = Date.now();
    const windows = new Windows(started);
    const rss = [];
    const sampler = setInterval(
      () => rss.push({ second: (Date.now() - started) / 1000, mb: rssMb(app.child.pid) }),
      1000,
    );
    const rows = [{ second: 0, counts: await rowCounts(database.url) }];
    const counter = setInterval(
      async () => rows.push({ second: (Date.now() - started) / 1000, counts: await rowCounts(database.url) }),
      10_000,
    );
    const reporter = setInterval(() => {
      const w = windows.windows.at(-2);
      if (w)
        log(
          `t=${w.second}s ${w.latencies.length} req, p99 ${percentile(w.latencies, 99).toFixed(1)} ms, RSS ${Math.round(rssMb(app.child.pid))} MB, ${JSON.stringify(w.byStatus)}`,
        );
    }, 60_000);
    const pace = pacer(RATE);
    await Promise.all(
      Array.from({ length: CLIENTS }, () => client(app.base, windows, pace, started + SECONDS * 1000)),
    );
    clearInterval(sampler);
    clearInterval(reporter);
    clearInterval(counter);
    rows.push({ second: SECONDS, counts: await rowCounts(database.url) });

    const summary = summarise(windows, rss);
    const tables = tableGrowth(rows);
    const failures = [
      summary.serverErrors > 0 && `${summary.serverErrors} server errors or failed connections`,
      summary.unexpected > 0 && `${summary.unexpected} answers a well-behaved client should not get`,
      summary.rssGrowth > 0.15 &&
        `RSS grew ${(summary.rssGrowth * 100).toFixed(0)}% from the second quarter to the last`,
      ...Object.entries(tables)
        .filter(([, t]) => t.growth > 0.25)
        .map(
          ([table, t]) => `${table} grew ${(t.growth * 100).toFixed(0)}% from the second quarter to the last`,
        ),
    ].filter(Boolean);
    const report = {
      date: new Date().toISOString(),
      settings: { minutes: +opts.minutes, rate: RATE, clients: CLIENTS },
      ...summary,
      rowsAtStart: rows[0].counts,
      rowsAtEnd: rows.at(-1).counts,
      tables,
      failures,
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(path.join(RESULTS, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(RESULTS, 'soak.svg'), svg(summary.rows));
    const md = [
      `Soak ${report.date.slice(0, 16).replace('T', ' ')} UTC: ${opts.minutes} min, ${RATE} req/s target, ${CLIENTS} clients.`,
      `${summary.total} requests (${Math.round(summary.total / SECONDS)}/s); server errors ${summary.serverErrors}; unexpected answers ${summary.unexpected};`,
      `p99 per ${WINDOW_S} s window: min ${Math.min(...summary.rows.map((r) => r.p99Ms))} ms, median ${percentile(
        summary.rows.map((r) => r.p99Ms),
        50,
      )} ms, max ${Math.max(...summary.rows.map((r) => r.p99Ms))} ms;`,
      `RSS median ${summary.rssSecondQuarterMb} MB in the second quarter, ${summary.rssLastQuarterMb} MB in the last (${(summary.rssGrowth * 100).toFixed(1)}%).`,
      `Rows at the start → the end (median of the second quarter → the last): ${RETAINED.map(
        (t) =>
          `${t} ${report.rowsAtStart[t]} → ${report.rowsAtEnd[t]} (${tables[t].secondQuarter} → ${tables[t].lastQuarter})`,
      ).join('; ')}.`,
      failures.length ? `FAILED: ${failures.join('; ')}` : 'Passed.',
      '',
    ].join('\n');
    writeFileSync(path.join(RESULTS, 'soak.md'), md);
    console.info(`\n${md}`);
    process.exitCode = failures.length ? 1 : 0;
  } finally {
    await stop(app);
    await database.drop();
    await smtp.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
