// npm run bench:gate [-- --rounds 3 --pairs 2 --duration 1 --against REV --write-baseline --reason TEXT]
// The performance gate (bench/README.md, "The gate"): this checkout's build against the reference
// build, the commit that last wrote bench/baseline.json, built in a worktree under .data/gate/. In
// each round both apps start fresh, each on a database seeded alike and migrated by its own
// migrations, and each hot route is loaded on one build, then the other, in short alternating
// windows: its server CPU per request here over the reference's. The host's speed moves by a third
// within a minute here; windows a second apart see the same host, so that ratio is what is compared
// with the tolerance. A route over it is measured alone for as many rounds again; the gate fails
// if it still is. `--write-baseline --reason '…'` records a cost paid on purpose: the commit that carries
// the file becomes the reference of the changes after it.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PasswordHasher } from '../dist/src/passwords/password-hasher.js';
import { cpuTicks, cycling, freePort, median, query, serverUrl, startBuiltApp, stop } from './harness.mjs';
import { lastCommitOf, referenceBuild } from './reference-build.mjs';
import { BENCH_PASSWORD, seeded, tokensFor } from './seed.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    pairs: { type: 'string', default: '2' },
    duration: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    baseline: { type: 'string', default: 'bench/baseline.json' },
    against: { type: 'string' },
    'write-baseline': { type: 'boolean', default: false },
    reason: { type: 'string' },
  },
});
const ROUNDS = Number(opts.rounds);
const DURATION = Number(opts.duration);
const PAIRS = Number(opts.pairs);
const WARMUP = Number(opts.warmup);
const SECRET = randomBytes(32).toString('base64url');
/** A route's CPU per request may grow this much over the reference's before the gate fails. */
const DEFAULT_TOLERANCE = 0.1;

const log = (...args) => console.info(`[gate ${new Date().toISOString().slice(11, 19)}]`, ...args);

/**
 * Server CPU ticks over a load of `amount` requests (all answered before it returns, so none is
 * still being served, its CPU counted in no window, when the next starts), or of `seconds`.
 */
async function load(server, requests, { amount, seconds }) {
  const before = cpuTicks(server.child.pid);
  const result = await autocannon({
    url: server.base,
    connections: Number(opts.connections),
    ...(amount ? { amount } : { duration: seconds }),
    requests: requests(),
  });
  const ticks = cpuTicks(server.child.pid) - before;
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${failed} of ${result['2xx'] + failed} requests were not answered 2xx`);
  return { ticks, requests: result['2xx'] };
}

/** One build's seeded database and the requests of each hot route against it. */
async function scenariosOn(server, database, root, hasher) {
  const url = await seeded(server.url, database, 10_000, { hasher, root, log });
  const emails = Array.from({ length: 1000 }, (_, i) => `bench-${i + 1}@example.com`);
  const tokens = await tokensFor(url, emails, SECRET);
  const [admin] = await tokensFor(url, ['bench-admin@example.com'], SECRET);
  const ids = (await query(url, `SELECT id FROM users WHERE role = 'user'`)).map((r) => r.id);
  const bearer = (token) => ({ authorization: `Bearer ${token}` });
  const scenarios = {
    me: cycling((i) => ({
      method: 'GET',
      path: '/api/v1/users/me',
      headers: bearer(tokens[i % tokens.length]),
    })),
    'get-by-id': cycling(() => ({
      method: 'GET',
      path: `/api/v1/users/${ids[Math.floor(Math.random() * ids.length)]}`,
      headers: bearer(admin),
    })),
    'list-first': cycling(() => ({ method: 'GET', path: '/api/v1/users?limit=20', headers: bearer(admin) })),
    login: cycling((i) => ({
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: emails[i % emails.length], password: BENCH_PASSWORD }),
    })),
  };
  return { url, root, scenarios };
}

/**
 * A route's CPU per request on `head` over `reference`'s: each loaded alone in turn, in windows
 * ordered head, reference, reference, head (so that a host speeding up or slowing down through the
 * four favours neither), `PAIRS` times; the ratio of the sums, and each build's µs per request.
 * Loaded at the same time instead, the two builds shared the cores unevenly: the same build
 * against itself moved by a third between rounds.
 */
async function ratio(name, head, reference) {
  const total = { head: { ticks: 0, requests: 0 }, reference: { ticks: 0, requests: 0 } };
  // As many requests in every window: what the reference answers in DURATION seconds.
  await load(head.app, head.scenarios[name], { seconds: 1 });
  const { requests: rate } = await load(reference.app, reference.scenarios[name], { seconds: 1 });
  const amount = Math.max(Number(opts.connections), Math.round(rate * DURATION));
  const window = async (which, build) => {
    const { ticks, requests } = await load(build.app, build.scenarios[name], { amount });
    total[which].ticks += ticks;
    total[which].requests += requests;
  };
  // Thue–Morse order (H R R H R H H R …): a drift through the windows favours neither build, and
  // each has as many windows that follow one of its own (cheaper: its caches are warm) as the other.
  for (let k = 0; k < 4 * PAIRS; k++) {
    const odd = k.toString(2).split('1').length % 2 === 0;
    await (odd ? window('reference', reference) : window('head', head));
  }
  // Clock ticks are hundredths of a second on Linux.
  const us = ({ ticks, requests }) => (ticks / requests) * 1e4;
  return {
    ratio: us(total.head) / us(total.reference),
    headUs: us(total.head),
    referenceUs: us(total.reference),
  };
}

async function main() {
  const against = opts.against ?? lastCommitOf(opts.baseline);
  const reference = referenceBuild(against, log);
  const short = reference.sha.slice(0, 7);
  log(
    `this checkout against ${short}${reference.identical ? ': the same build inputs, so one round measures only the gate’s own noise and fails nothing' : ''}`,
  );
  const server = await serverUrl();
  const smtp = await startSmtpSink(await freePort());
  try {
    const hasher = new PasswordHasher();
    const builds = {
      head: await scenariosOn(server, 'gatehouse_bench', '.', hasher),
      // Its own database, migrated by its own migrations: the schema it was written for.
      reference: await scenariosOn(server, `gatehouse_bench_${short}`, reference.root, hasher),
    };
    const names = Object.keys(builds.head.scenarios);
    const rounds = Object.fromEntries(names.map((name) => [name, []]));
    const round = async (number, of, routes = names) => {
      // Fresh processes every round: two processes of the same build differ by up to a sixth (heap
      // sizing, JIT decisions), so the median over processes is what repeats. The order in which
      // the two start alternates.
      const order = number % 2 ? ['head', 'reference'] : ['reference', 'head'];
      const running = {};
      for (const which of order)
        running[which] = {
          ...builds[which],
          app: await startBuiltApp({
            databaseUrl: builds[which].url,
            secret: SECRET,
            smtpUrl: smtp.url,
            root: builds[which].root,
          }),
        };
      try {
        // Unmeasured first: the first seconds under load run code V8 has not optimised yet.
        for (const name of routes)
          for (const build of Object.values(running))
            await load(build.app, build.scenarios[name], { seconds: WARMUP });
        const figures = [];
        for (const name of routes) {
          const measured = await ratio(name, running.head, running.reference);
          rounds[name].push(measured);
          figures.push(`${name} ${measured.ratio.toFixed(3)}`);
        }
        log(`round ${number} of ${of}, CPU per request here over ${short}'s: ${figures.join(', ')}`);
      } finally {
        await Promise.all(Object.values(running).map((build) => stop(build.app)));
      }
    };

    // The same build on both sides has nothing to gate: one round shows the gate runs, and its noise.
    const planned = reference.identical ? 1 : ROUNDS;
    for (let n = 1; n <= planned; n++) await round(n, planned);
    const baseline = JSON.parse(readFileSync(opts.baseline, 'utf8'));
    const over = () => overTolerance(baseline, rounds);
    // On the same build a route over the tolerance is the host's noise: nothing to confirm.
    // Only those routes are measured again: a route within its tolerance has nothing to confirm,
    // and loading all four tripled what a confirmation cost (CI's longest step when it came).
    if (over().length > 0 && !reference.identical) {
      const suspects = over();
      log(
        `${suspects.join(', ')} over the tolerance: ${ROUNDS} rounds more of ${suspects.length > 1 ? 'them' : 'it'} to confirm`,
      );
      for (let n = ROUNDS + 1; n <= 2 * ROUNDS; n++) await round(n, 2 * ROUNDS, suspects);
    }
    report(baseline, rounds, short);
    if (opts['write-baseline']) return writeBaseline(baseline, rounds, reference.sha);
    process.exitCode = over().length === 0 || reference.identical ? 0 : 1;
    log(
      over().length === 0
        ? 'bench:gate passed: no route costs more CPU per request than its tolerance over the reference.'
        : reference.identical
          ? `${over().join(', ')} over the tolerance on the same build: the host was noisier than the tolerance allows (not a failure: nothing changed).`
          : `bench:gate failed: ${over().join(', ')} cost more CPU per request than ${short}'s. ` +
            'Find the cost (npm run bench:profile), or, if it is paid on purpose, record it ' +
            "(npm run bench:gate -- --write-baseline --reason '…') in the same commit.",
    );
  } finally {
    await smtp.close();
    await server.stop();
  }
}

const medianRatio = (measured) => median(measured.map((m) => m.ratio));

/** A route's tolerance: the baseline's own for it, or its default. */
const toleranceOf = (baseline, name) =>
  baseline.tolerance?.[name] ?? baseline.tolerance?.default ?? DEFAULT_TOLERANCE;

/** The routes whose median ratio over the rounds exceeds 1 + their tolerance. */
const overTolerance = (baseline, rounds) =>
  Object.entries(rounds)
    .filter(([name, measured]) => medianRatio(measured) - 1 > toleranceOf(baseline, name))
    .map(([name]) => name);

function report(baseline, rounds, short) {
  const over = overTolerance(baseline, rounds);
  console.info(
    `\nServer CPU per request, this checkout against ${short} (the reference), each loaded in turn; the median of each route's rounds:`,
  );
  console.info(
    '| route | reference µs | here µs | change | tolerance | each round |\n|---|---:|---:|---:|---:|---|',
  );
  for (const [name, measured] of Object.entries(rounds)) {
    const change = (medianRatio(measured) - 1) * 100;
    console.info(
      `| ${name} | ${Math.round(median(measured.map((m) => m.referenceUs)))} | ${Math.round(median(measured.map((m) => m.headUs)))} | ${change >= 0 ? '+' : ''}${change.toFixed(1)}%${over.includes(name) ? ' ✗' : ''} | ${Math.round(toleranceOf(baseline, name) * 100)}% | ${measured.map((m) => m.ratio.toFixed(3)).join(', ')} |`,
    );
  }
  console.info('');
}

/** The run, recorded as the cost paid on purpose: the commit that carries it is the new reference. */
function writeBaseline(previous, rounds, sha) {
  if (!opts.reason) throw new Error('--write-baseline needs --reason: why this cost is paid');
  const baseline = {
    reason: opts.reason,
    date: new Date().toISOString().slice(0, 10),
    measuredAgainst: sha.slice(0, 7),
    tolerance: previous.tolerance ?? { default: DEFAULT_TOLERANCE },
    ratios: Object.fromEntries(Object.entries(rounds).map(([n, m]) => [n, +medianRatio(m).toFixed(3)])),
  };
  writeFileSync(opts.baseline, `${JSON.stringify(baseline, null, 2)}\n`);
  log(`${opts.baseline} written: commit it, and that commit is what the next changes are held to`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
