// `npm run bench:webhooks`: what webhooks cost and deliver, on this machine (issue 36's figures).
//
// 1. Events per second one worker (`npm run worker`, JOBS_CONCURRENCY as given) delivers to a
//    receiver on 127.0.0.1 that answers 204 at once: EVENTS audit events recorded in one statement,
//    the clock running from their commit to the last delivery received (the dispatcher's poll,
//    the deliveries' jobs, signing, the HTTP round trips).
// 2. The cost of a sign-up with a subscription to `account.signed-up` against the same app with
//    none, in alternating rounds (A B A B …) of a fixed number of concurrent sign-ups, so that both
//    sides meet the same minutes of the machine: once with an API that only queues (the request's
//    own cost: the trigger and the outbox row), once with an API that works its queues itself (the
//    deliveries' CPU in the same process too).
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { PasswordHasher } from '../dist/src/passwords/password-hasher.js';
import { SecretBox } from '../dist/src/common/secret-box.js';
import { cpuTicks, freePort, keyEncryptionKeyOf, query, serverUrl, startBuiltApp, stop } from './harness.mjs';
import { seeded } from './seed.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

const { values: opts } = parseArgs({
  options: {
    events: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
  },
});
const SECRET = randomBytes(32).toString('base64url');
const log = (...args) => console.info(`[bench:webhooks ${new Date().toISOString().slice(11, 19)}]`, ...args);
const DEVELOPMENT = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' };

/** A receiver that answers 204 at once and counts. */
async function startReceiver() {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    received: () => received,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A subscription written as the API writes one, its secret sealed with the app's key. */
async function subscribe(url, target, events) {
  const id = randomUUID();
  const sealed = new SecretBox(keyEncryptionKeyOf(SECRET)).seal(
    `whsec_${randomBytes(24).toString('base64')}`,
    `webhook:${id}`,
  );
  await query(
    url,
    `INSERT INTO webhook_subscriptions (id, url, events, enabled, secret_sealed, created_at, updated_at)
     VALUES ($1, $2, $3, true, $4, now(), now())`,
    [id, target, events, sealed],
  );
}

async function eventsPerSecond(url, receiver, smtp) {
  const count = Number(opts.events);
  await query(url, 'DELETE FROM webhook_subscriptions');
  await subscribe(url, receiver.url, ['account.signed-up']);
  const worker = spawn(process.execPath, ['dist/src/worker.js'], {
    env: {
      ...process.env,
      ...DEVELOPMENT,
      NODE_ENV: 'production',
      DATABASE_URL: url,
      AUTH_JWT_SECRET: SECRET,
      AUTH_MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUTH_KEY_ENCRYPTION_KEY: keyEncryptionKeyOf(SECRET).toString('base64'),
      SMTP_URL: smtp.url,
      JOBS_CONCURRENCY: opts.concurrency,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // The worker is up once pg-boss has made the delivery queue.
  for (let i = 0; i < 300; i++) {
    const [found] = await query(url, `SELECT 1 AS up FROM pgboss.queue WHERE name = 'webhook-delivery'`);
    if (found) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const before = receiver.received();
  const cpuBefore = cpuTicks(worker.pid);
  const started = performance.now();
  await query(
    url,
    `INSERT INTO audit_events (id, occurred_at, type, subject_user_id, details)
     SELECT gen_random_uuid(), now(), 'account.signed-up', u.id, '{}'::jsonb
       FROM generate_series(1, $1::int) AS i
       JOIN LATERAL (SELECT id FROM users WHERE email = 'bench-' || (1 + i % 100) || '@example.com') u ON true`,
    [count],
  );
  while (receiver.received() - before < count) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - started) / 1000;
  const cpu = (cpuTicks(worker.pid) - cpuBefore) / 100;
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  log(
    `one worker (JOBS_CONCURRENCY=${opts.concurrency}) delivered ${count} events (100 accounts) in ${seconds.toFixed(1)} s: ` +
      `${Math.round(count / seconds)} events/s, ${((cpu / count) * 1000).toFixed(2)} ms of the worker's CPU each`,
  );
}

/** Sign-ups answered 201 in `seconds`, `concurrency` at a time. */
async function signUps(app, seconds, concurrency = 4) {
  const prefix = randomUUID().slice(0, 8);
  let done = 0;
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const cpuBefore = cpuTicks(app.child.pid);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const response = await fetch(`${app.base}/api/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email: `w-${prefix}-${n++}@example.com`,
            password: 'bench password 2026',
            name: 'W',
          }),
        });
        await response.arrayBuffer();
        if (response.status !== 201) throw new Error(`sign-up answered ${response.status}`);
        done++;
      }
    }),
  );
  return { perSecond: done / seconds, cpuMsEach: ((cpuTicks(app.child.pid) - cpuBefore) * 10) / done };
}

async function signUpCost(url, receiver, smtp, workers) {
  const app = await startBuiltApp({
    databaseUrl: url,
    secret: SECRET,
    smtpUrl: smtp.url,
    env: { ...DEVELOPMENT, JOBS_WORKERS_ENABLED: String(workers) },
  });
  const seconds = Number(opts.seconds);
  const sides = { none: [], subscribed: [] };
  await signUps(app, 3);
  for (let round = 0; round < Number(opts.rounds); round++) {
    for (const side of ['none', 'subscribed']) {
      await query(url, 'DELETE FROM webhook_subscriptions');
      if (side === 'subscribed') await subscribe(url, receiver.url, ['account.signed-up']);
      sides[side].push(await signUps(app, seconds));
    }
  }
  await stop(app);
  const mean = (list, key) => list.reduce((s, x) => s + x[key], 0) / list.length;
  const [a, b] = [sides.none, sides.subscribed];
  log(
    `${workers ? 'the API works the queues (delivers too)' : 'the API only queues (a worker delivers)'}: ` +
      `sign-ups/s: ${mean(a, 'perSecond').toFixed(1)} with no subscription, ${mean(b, 'perSecond').toFixed(1)} with one ` +
      `(${((mean(b, 'perSecond') / mean(a, 'perSecond') - 1) * 100).toFixed(1)}%); the app's CPU per sign-up: ` +
      `${mean(a, 'cpuMsEach').toFixed(1)} ms, ${mean(b, 'cpuMsEach').toFixed(1)} ms ` +
      `(${((mean(b, 'cpuMsEach') / mean(a, 'cpuMsEach') - 1) * 100).toFixed(1)}%), ${opts.rounds} rounds of ${seconds} s each`,
  );
}

const server = await serverUrl();
const smtp = await startSmtpSink(await freePort());
const receiver = await startReceiver();
try {
  const url = await seeded(server.url, 'bench_webhooks', 100, { hasher: new PasswordHasher(), log });
  await query(url, 'TRUNCATE webhook_outbox, webhook_deliveries');
  await eventsPerSecond(url, receiver, smtp);
  await signUpCost(url, receiver, smtp, false);
  await signUpCost(url, receiver, smtp, true);
} finally {
  await receiver.stop();
  await smtp.close();
  await server.stop();
}
