// npm run bench:gate [-- --rounds 4 --pairs 3 --duration 2 --write-baseline]
// The performance gate (bench/README.md, "The gate"): in each round a fresh floor (bench/floor.mjs)
// and a fresh app, the app's hot routes each loaded at the same time as the floor, and each read's
// server CPU per request as a multiple of the floor's (a floor making as many round trips to
// PostgreSQL), login's as a multiple of one argon2id verification's. CPU per request moves with the
// host by a factor of four between sessions; these multiples move far less, so they are what is
// compared with bench/baseline.json. A route whose median multiple grew by more than its tolerance
// is measured for as many rounds again; the gate fails if it still has. `--write-baseline` records
// the run as the baseline, with the commit it measured: a change that pays a cost on purpose does
// that in the same commit, and says why.
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { PasswordHasher } from '../dist/src/passwords/password-hasher.js';
import {
  cpuTicks,
  cycling,
  freePort,
  median,
  query,
  serverUrl,
  startBuiltApp,
  startFloor,
  stop,
} from './harness.mjs';
import { BENCH_PASSWORD, seeded, tokensFor } from './seed.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    pairs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    baseline: { type: 'string', default: 'bench/baseline.json' },
    'write-baseline': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(opts.rounds);
const DURATION = Number(opts.duration);
const PAIRS = Number(opts.pairs);
const WARMUP = Number(opts.warmup);
const SECRET = randomBytes(32).toString('base64url');
const TICKS_PER_SECOND = 100;
/** A multiple may grow this much over the baseline's before the gate fails (see bench/README.md). */
const DEFAULT_TOLERANCE = 0.1;

const log = (...args) => console.info(`[gate ${new Date().toISOString().slice(11, 19)}]`, ...args);
/** Server CPU ticks and requests answered over `seconds` of load. */
async function load(server, requests, seconds) {
  const before = cpuTicks(server.child.pid);
  const result = await autocannon({
    url: server.base,
    connections: Number(opts.connections),
    duration: seconds,
    requests: requests(),
  });
  const ticks = cpuTicks(server.child.pid) - before;
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${failed} of ${result['2xx'] + failed} requests were not answered 2xx`);
  return { ticks, requests: result['2xx'] };
}

/**
 * A scenario's CPU per request over the floor's, the two loaded at the same time, so that both see
 * the same host: on this machine the floor's CPU per request moves by a third within a minute, and
 * measured one after the other, a few seconds apart, their ratio moved as much.
 */
async function multiple(app, requests, floor, floorRequests) {
  await load(app, requests, WARMUP);
  const ratios = [];
  const appUs = [];
  let floorUs = 0;
  for (let pair = 0; pair < PAIRS; pair++) {
    const [f, a] = await Promise.all([load(floor, floorRequests, DURATION), load(app, requests, DURATION)]);
    ratios.push(a.ticks / a.requests / (f.ticks / f.requests));
    appUs.push((a.ticks / a.requests / TICKS_PER_SECOND) * 1e6);
    floorUs = (f.ticks / f.requests / TICKS_PER_SECOND) * 1e6;
  }
  return { ratios, appUs, floorUs };
}

/**
 * CPU per argon2id verification, in µs: this process verifying alone, one per core at a time, for
 * `seconds` (all threads: the hashing runs on libuv's). A login is one verification and a little
 * SQL, so its CPU is compared with this, measured in the same round, rather than with the floor's:
 * the floor is mostly system calls, hashing none, and how the two compare moves with the host.
 */
async function verificationUs(hasher, passwordHash, seconds) {
  const until = performance.now() + seconds * 1000;
  let count = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      for (; performance.now() < until; count++) await hasher.verify(passwordHash, BENCH_PASSWORD);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

async function main() {
  const server = await serverUrl();
  const smtp = await startSmtpSink(await freePort());
  try {
    const hasher = new PasswordHasher();
    const url = await seeded(server.url, 'gatehouse_bench', 10_000, { hasher, log });
    const passwordHash = await hasher.hash(BENCH_PASSWORD);
    const emails = Array.from({ length: 1000 }, (_, i) => `bench-${i + 1}@example.com`);
    const tokens = await tokensFor(url, emails, SECRET);
    const [admin] = await tokensFor(url, ['bench-admin@example.com'], SECRET);
    const ids = (await query(url, `SELECT id FROM users WHERE role = 'user'`)).map((r) => r.id);
    const randomId = () => ids[Math.floor(Math.random() * ids.length)];
    const bearer = (token) => ({ authorization: `Bearer ${token}` });
    const scenarios = {
      me: cycling((i) => ({
        method: 'GET',
        path: '/api/v1/users/me',
        headers: bearer(tokens[i % tokens.length]),
      })),
      'get-by-id': cycling(() => ({
        method: 'GET',
        path: `/api/v1/users/${randomId()}`,
        headers: bearer(admin),
      })),
      'list-first': cycling(() => ({
        method: 'GET',
        path: '/api/v1/users?limit=20',
        headers: bearer(admin),
      })),
      login: cycling((i) => ({
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: emails[i % emails.length], password: BENCH_PASSWORD }),
      })),
    };
    // Each route against the floor that makes as many round trips to PostgreSQL: `me` reads its
    // caller and the user in one statement, `get-by-id` authenticates and then reads. Measured at
    // two hosts, the multiple of a two-trip route over the one-trip floor moved by a quarter.
    const oneRead = cycling(() => ({ method: 'GET', path: `/api/v1/users/${randomId()}` }));
    const twoReads = cycling(() => ({ method: 'GET', path: `/floor/two-reads/${randomId()}` }));
    const floorOf = { me: oneRead, 'get-by-id': twoReads, 'list-first': oneRead, login: oneRead };

    const multiples = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
    const round = async (number, of) => {
      // Fresh processes every round: within one process a multiple holds within a few percent, but
      // two processes of the same build differ by up to a sixth (heap sizing, JIT decisions), so the
      // median over processes is what can be compared between runs.
      const floor = await startFloor(url);
      const app = await startBuiltApp({ databaseUrl: url, secret: SECRET, smtpUrl: smtp.url });
      try {
        // Unmeasured first: the first seconds under load run code V8 has not optimised yet. Login
        // first here, and last below: after a burst of argon2id a read pays for the collections
        // the hashing left behind.
        for (const name of ['login', 'me', 'get-by-id', 'list-first'])
          await load(app, scenarios[name], WARMUP);
        await load(floor, oneRead, WARMUP);
        await load(floor, twoReads, WARMUP);
        const figures = [];
        let floorUs;
        for (const [name, requests] of Object.entries(scenarios)) {
          const measured = await multiple(app, requests, floor, floorOf[name]);
          const figure =
            name === 'login'
              ? median(measured.appUs) / (await verificationUs(hasher, passwordHash, DURATION))
              : median(measured.ratios);
          multiples[name].push(figure);
          figures.push(`${name} ${figure.toFixed(2)}×`);
          if (name === 'me') floorUs = measured.floorUs;
        }
        log(`round ${number} of ${of}: floor ${Math.round(floorUs)} µs CPU/req; ${figures.join(', ')}`);
      } finally {
        await stop(app);
        await stop(floor);
      }
    };
    const medians = () =>
      Object.fromEntries(Object.entries(multiples).map(([n, v]) => [n, +median(v).toFixed(2)]));

    for (let n = 1; n <= ROUNDS; n++) await round(n, ROUNDS);
    if (opts['write-baseline']) return writeBaseline(medians(), multiples);
    const baseline = safeRead(opts.baseline);
    if (!baseline) throw new Error(`${opts.baseline} is missing: run npm run bench:gate -- --write-baseline`);
    // A multiple over its tolerance is measured again before the gate says so: the median of twice
    // the rounds, so that one slow stretch of the host fails nothing while a real cost still shows.
    if (overTolerance(baseline, medians()).length > 0) {
      log(
        `${overTolerance(baseline, medians()).join(', ')} over the tolerance: ${ROUNDS} rounds more to confirm`,
      );
      for (let n = ROUNDS + 1; n <= 2 * ROUNDS; n++) await round(n, 2 * ROUNDS);
    }
    process.exitCode = report(baseline, medians(), multiples) ? 0 : 1;
  } finally {
    await smtp.close();
    await server.stop();
  }
}

/** A scenario's tolerance: the baseline's own for it, or its default. */
const toleranceOf = (baseline, name) =>
  baseline.tolerance?.[name] ?? baseline.tolerance?.default ?? DEFAULT_TOLERANCE;

/** The scenarios whose multiple grew more than their tolerance over the baseline's. */
const overTolerance = (baseline, result) =>
  Object.entries(result)
    .filter(
      ([name, now]) =>
        name in baseline.cpuMultiples && now / baseline.cpuMultiples[name] - 1 > toleranceOf(baseline, name),
    )
    .map(([name]) => name);

function writeBaseline(result, multiples) {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
  const previous = safeRead(opts.baseline);
  const baseline = {
    commit,
    date: new Date().toISOString().slice(0, 10),
    tolerance: previous?.tolerance ?? { default: DEFAULT_TOLERANCE },
    rounds: ROUNDS,
    cpuMultiples: result,
    perRound: Object.fromEntries(Object.entries(multiples).map(([n, v]) => [n, v.map((x) => +x.toFixed(2))])),
  };
  // Each round's figures on one line, as Prettier (npm run format:check) writes a short array.
  const json = JSON.stringify(baseline, null, 2).replace(
    /\[\s+([\d.,\s]+?)\s+\]/g,
    (_, figures) => `[${figures.split(/,\s*/).join(', ')}]`,
  );
  writeFileSync(opts.baseline, `${json}\n`);
  log(`baseline written to ${opts.baseline}, measured on ${commit} (a change that writes it commits it)`);
}

/** Whether every scenario stayed within its tolerance of the baseline; a table either way. */
function report(baseline, result, multiples) {
  const over = overTolerance(baseline, result);
  const rounds = multiples.me.length;
  console.info(
    `\nCPU per request × the floor's, login's × one argon2id verification's (median of ${rounds} rounds) against ${opts.baseline} (${baseline.commit}):`,
  );
  console.info('| scenario | baseline | now | change | tolerance | rounds |\n|---|---:|---:|---:|---:|---|');
  for (const [name, now] of Object.entries(result)) {
    const was = baseline.cpuMultiples[name];
    const change =
      was === undefined ? 'new' : `${now >= was ? '+' : ''}${((now / was - 1) * 100).toFixed(1)}%`;
    console.info(
      `| ${name} | ${was ?? '–'} | ${now} | ${change}${over.includes(name) ? ' ✗' : ''} | ${Math.round(toleranceOf(baseline, name) * 100)}% | ${multiples[name].map((x) => x.toFixed(2)).join(', ')} |`,
    );
  }
  console.info(
    over.length === 0
      ? '\nbench:gate passed: no CPU multiple grew more than its tolerance.'
      : `\nbench:gate failed: ${over.join(', ')} grew more than the tolerance over ${baseline.commit}'s. ` +
          'Find the cost (npm run bench:profile), or, if it is paid on purpose, write the baseline ' +
          '(npm run bench:gate -- --write-baseline) in the same commit and say why.',
  );
  return over.length === 0;
}

function safeRead(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
