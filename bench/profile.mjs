// npm run bench:profile [-- --scenario me|get-by-id|list-first|org-get|login --root DIR --duration 10 --label NAME
//                         --sampling 0.1 (traced, to a collector stand-in; 1: every trace)]
// Where a request's CPU goes. Starts the built app of `--root` (this checkout by default; an older
// commit's worktree for an A/B) as production runs it, with the inspector open, drives one scenario
// with autocannon, and takes a CPU profile (V8's sampling profiler, over the inspector protocol) of
// exactly the measured seconds: no boot, no warm-up. Writes to bench/profiles/:
//   <label>-<scenario>.cpuprofile.gz  the profile (gunzip, then Chrome DevTools or speedscope.app)
//   <label>-<scenario>.svg            its flame graph
//   <label>-<scenario>.md             CPU µs per request: self time by package, and inclusive time
//                                     by the app's source file and by the libraries on the path
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { PasswordHasher } from '../dist/src/passwords/password-hasher.js';
import { freePort, query, serverUrl, startBuiltApp, stop } from './harness.mjs';
import { BENCH_PASSWORD, seeded, seededOrganization, tokensFor } from './seed.mjs';
import { startOtlpSink } from './otlp-sink.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'me' },
    root: { type: 'string', default: '.' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    label: { type: 'string' },
    // Microseconds between samples: finer than V8's default 1 ms, for routes of ~100 µs.
    interval: { type: 'string', default: '100' },
    // Traced, to a collector stand-in: every trace, or this share of them (parentbased_traceidratio).
    sampling: { type: 'string' },
  },
});
const ROOT = path.resolve(opts.root);
const OUT = path.resolve('bench/profiles');
const SECRET = randomBytes(32).toString('base64url');
const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).toString().trim();
const label = opts.label ?? commit;
const log = (...args) => console.info(`[profile ${new Date().toISOString().slice(11, 19)}]`, ...args);

/** The app of ROOT as the bench starts it, with the inspector open and connected. */
async function startApp(databaseUrl, smtpUrl, tracesUrl) {
  const inspectPort = await freePort();
  const sampler = opts.sampling &&
    Number(opts.sampling) < 1 && {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: opts.sampling,
    };
  const app = await startBuiltApp({
    databaseUrl,
    secret: SECRET,
    smtpUrl,
    root: ROOT,
    env: tracesUrl ? { OTEL_EXPORTER_OTLP_ENDPOINT: tracesUrl, ...sampler } : {},
    nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`],
  });
  const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  return { ...app, inspector: await connect(target.webSocketDebuggerUrl) };
}

/** A minimal inspector-protocol client: `send(method, params)` resolves with the result. */
function connect(url) {
  const socket = new WebSocket(url);
  const pending = new Map();
  let next = 1;
  socket.addEventListener('message', ({ data }) => {
    const message = JSON.parse(data);
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  return new Promise((resolve, reject) => {
    socket.addEventListener('error', reject);
    socket.addEventListener('open', () =>
      resolve({
        send: (method, params = {}) =>
          new Promise((done, fail) => {
            const id = next++;
            pending.set(id, (m) => (m.error ? fail(new Error(m.error.message)) : done(m.result)));
            socket.send(JSON.stringify({ id, method, params }));
          }),
        close: () => socket.close(),
      }),
    );
  });
}

const cannon = (base, requests, duration) =>
  autocannon({ url: base, connections: Number(opts.connections), duration, requests });

async function main() {
  const server = await serverUrl('profile');
  const smtp = await startSmtpSink(await freePort());
  try {
    const database = `gatehouse_profile_${commit}`;
    const url = await seeded(server.url, database, 10_000, { hasher: new PasswordHasher(), root: ROOT, log });
    const emails = Array.from({ length: 1000 }, (_, i) => `bench-${i + 1}@example.com`);
    const tokens = await tokensFor(url, emails, SECRET);
    const [admin] = await tokensFor(url, ['bench-admin@example.com'], SECRET);
    const ids = (await query(url, `SELECT id FROM users WHERE role = 'user'`)).map((r) => r.id);
    const scenarios = {
      me: (i) => ({ path: '/api/v1/users/me', token: tokens[i % tokens.length] }),
      'get-by-id': () => ({
        path: `/api/v1/users/${ids[Math.floor(Math.random() * ids.length)]}`,
        token: admin,
      }),
      'list-first': () => ({ path: '/api/v1/users?limit=20', token: admin }),
      // The main thread's part of a login: argon2id runs on libuv's threads, outside this profile. They
      // keep both cores busy, and a sample counts where the main thread was preempted too: read the
      // shares, not the microseconds (5,000-6,400 µs a login here, mostly waiting for a core).
      login: (i) => ({
        method: 'POST',
        path: '/api/v1/auth/login',
        body: JSON.stringify({ email: emails[i % emails.length], password: BENCH_PASSWORD }),
      }),
      // An organization-scoped read by its 1,000 members (a build with organizations only).
      'org-get': async () => {
        const team = await seededOrganization(url, 'bench-members-1000', 1000, { log });
        return (i) => ({ path: `/api/v1/organizations/${team}`, token: tokens[i % tokens.length] });
      },
    };
    if (!scenarios[opts.scenario])
      throw new Error(`--scenario is one of ${Object.keys(scenarios).join(', ')}`);
    const make = opts.scenario === 'org-get' ? await scenarios['org-get']() : scenarios[opts.scenario];
    const requests = () => {
      let i = 0;
      return [
        {
          setupRequest: (request) => {
            const { method = 'GET', path: p, token, body } = make(i++);
            const headers = token
              ? { authorization: `Bearer ${token}` }
              : { 'content-type': 'application/json' };
            return { ...request, method, path: p, headers, body };
          },
        },
      ];
    };

    const collector = opts.sampling ? await startOtlpSink(await freePort()) : undefined;
    const app = await startApp(url, smtp.url, collector?.url);
    try {
      await cannon(app.base, requests(), Number(opts.warmup));
      const { inspector } = app;
      await inspector.send('Profiler.enable');
      await inspector.send('Profiler.setSamplingInterval', { interval: Number(opts.interval) });
      await inspector.send('Profiler.start');
      const result = await cannon(app.base, requests(), Number(opts.duration));
      const { profile } = await inspector.send('Profiler.stop');
      inspector.close();
      const answered = result['2xx'];
      if (result.non2xx + result.errors > 0)
        throw new Error(`${result.non2xx + result.errors} requests failed`);
      log(`${opts.scenario}: ${answered} requests in ${opts.duration} s at ${commit} (${label})`);
      mkdirSync(OUT, { recursive: true });
      const base = path.join(OUT, `${label}-${opts.scenario}`);
      writeFileSync(`${base}.cpuprofile.gz`, gzipSync(JSON.stringify(profile)));
      writeFileSync(`${base}.svg`, flameGraph(profile, `${opts.scenario} at ${commit}`));
      const summary = summarise(profile, answered, `${opts.scenario} at ${commit} (${label})`);
      writeFileSync(`${base}.md`, summary);
      console.info(`\n${summary}`);
    } finally {
      await stop(app);
      await collector?.close();
    }
  } finally {
    await smtp.close();
    await server.stop();
  }
}

// ------------------------------------------------------------------ reading the profile
/** The package, Node internal or app file a frame belongs to. */
function owner({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').replace(/\/[^/]*$/, '');
  const src = url.indexOf('/dist/');
  return src >= 0 ? url.slice(src + '/dist/'.length) : url;
}

/** Milliseconds per node (self), and each sample's node, with parents known. */
function readProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
  }
  const stack = (id) => {
    const frames = [];
    for (let at = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at));
    return frames;
  };
  return { byId, selfUs, stack };
}

function summarise(profile, requests, title) {
  const { byId, selfUs, stack } = readProfile(profile);
  const self = new Map();
  const inclusiveSrc = new Map();
  const inclusivePkg = new Map();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node.callFrame.functionName === '(idle)') continue;
    busy += us;
    const key = owner(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + us);
    const owners = new Set(stack(id).map((f) => owner(f.callFrame)));
    for (const o of owners) {
      const into = o.startsWith('src/') ? inclusiveSrc : inclusivePkg;
      if (o.startsWith('src/') || !o.startsWith('(')) into.set(o, (into.get(o) ?? 0) + us);
    }
  }
  const perRequest = (us) => (us / requests).toFixed(1);
  const table = (map, limit) =>
    [...map]
      .toSorted((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([k, us]) => `| ${k} | ${perRequest(us)} | ${((100 * us) / busy).toFixed(1)}% |`)
      .join('\n');
  return [
    `# ${title}`,
    '',
    `${requests} requests; ${perRequest(busy)} µs of main-thread CPU per request (samples not idle).`,
    '',
    '## Self time by owner (µs per request)',
    '',
    '| owner | µs/req | share |',
    '| --- | ---: | ---: |',
    table(self, 40),
    '',
    "## Inclusive time by the app's file (a sample counts once per file on its stack)",
    '',
    '| file | µs/req | share |',
    '| --- | ---: | ---: |',
    table(inclusiveSrc, 40),
    '',
    '## Inclusive time by package and Node internal',
    '',
    '| owner | µs/req | share |',
    '| --- | ---: | ---: |',
    table(inclusivePkg, 40),
    '',
  ].join('\n');
}

/** An icicle-style flame graph (root at the top) of the busy samples, frames under 0.1% left out. */
function flameGraph(profile, title) {
  const { byId, selfUs } = readProfile(profile);
  const total = new Map();
  const sum = (node) => {
    let t = node.callFrame.functionName === '(idle)' ? 0 : (selfUs.get(node.id) ?? 0);
    for (const c of node.children ?? []) t += sum(byId.get(c));
    total.set(node.id, t);
    return t;
  };
  const root = profile.nodes[0];
  const all = sum(root);
  const width = 1600;
  const rowHeight = 16;
  const rects = [];
  let depthMax = 0;
  const draw = (node, x, depth) => {
    const w = (total.get(node.id) / all) * width;
    if (w < width / 1000) return;
    depthMax = Math.max(depthMax, depth);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${owner(node.callFrame)}`;
    const hue = owner(node.callFrame).startsWith('src/')
      ? 20
      : /^node:|^\(/.test(owner(node.callFrame))
        ? 200
        : 45;
    const esc = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const pct = ((100 * total.get(node.id)) / all).toFixed(1);
    rects.push(
      `<g><title>${esc} (${pct}%)</title><rect x="${x.toFixed(1)}" y="${depth * rowHeight + 24}" width="${w.toFixed(1)}" height="${rowHeight - 1}" fill="hsl(${hue},70%,${60 + (depth % 3) * 6}%)"/>` +
        (w > 60
          ? `<text x="${(x + 3).toFixed(1)}" y="${depth * rowHeight + 36}" font-size="11">${esc.slice(0, Math.floor(w / 6.5))}</text>`
          : '') +
        '</g>',
    );
    let at = x;
    for (const c of node.children ?? []) {
      const child = byId.get(c);
      draw(child, at, depth + 1);
      at += (total.get(c) / all) * width;
    }
  };
  draw(root, 0, 0);
  const height = (depthMax + 1) * rowHeight + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace">
<text x="4" y="16" font-size="13">${title}: hover a frame for its share of the busy samples</text>
${rects.join('\n')}
</svg>
`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
