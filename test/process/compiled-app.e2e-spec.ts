import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { PgBoss } from 'pg-boss';
import { imageRuntime } from '../../scripts/dockerfile.mjs';
import { ACCOUNT_EMAIL_QUEUE } from '../../src/account-emails/account-email.job.js';
import { deadLetterQueue } from '../../src/jobs/dead-jobs.js';
import { KeyRing } from '../../src/keys/key-ring.js';
import { apiClient, bearer, send } from '../support/api-client.js';
import { aUser, login, PASSWORD, signUp } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { killAll } from '../support/processes.js';
import { eventually } from '../support/eventually.js';
import { accountEmailJobsSettled } from '../support/jobs.js';
import { freshRedisDatabase, redisIfAny } from '../support/redis.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { privateKeyTexts } from '../support/signing-keys.js';
import { SmtpSink, tokenIn } from '../support/smtp-sink.js';
import { markVerified, startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);
/** What `npm start`, the worker and the image put before the entry point (tracing, when configured). */
const TRACING = ['--import', './dist/src/telemetry/tracing.js'];

/** The compiled app and CLI as they ship, in processes of their own (built once, here). */
describe('the compiled app (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Jobs queued here are for the processes under test to work, not for this one.
    t = await startTestApp({ JOBS_WORKERS_ENABLED: 'false' });
    await run('npm', ['run', '--silent', 'build'], { timeout: 120_000 });
  }, 180_000);
  /** Every process a test started: whatever its assertions did, it is gone before the next test. */
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await killAll(children);
  });
  afterAll(async () => {
    await t.close();
  });

  const node = (script: string, args: string[], env: Record<string, string | undefined>) =>
    run(process.execPath, [script, ...args], { env: { ...process.env, ...env }, timeout: 30_000 });

  describe('boot', () => {
    it('stops with one message naming every bad variable, and exit code 1', async () => {
      const failed = node('dist/src/main.js', [], {
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
      });
      await expect(failed).rejects.toMatchObject({ code: 1 });
      const { stderr } = await failed.catch((error: { stderr: string }) => error);
      expect(stderr).toMatch(/^Invalid configuration:/);
      for (const name of ['PORT=', 'LOG_LEVEL=', 'DATABASE_URL=']) expect(stderr).toContain(name);
      expect(stderr).not.toMatch(/\n\s+at /);
    });

    it('refuses to start in production without a database URL, real keys, SMTP and closed metrics', async () => {
      const failed = node('dist/src/main.js', [], {
        NODE_ENV: 'production',
        DATABASE_URL: '',
        AUTH_JWT_SECRET: 'changeme',
        AUTH_MFA_ENCRYPTION_KEY: 'A'.repeat(43) + '=',
        SMTP_URL: '',
        METRICS_TOKEN: '',
        METRICS_PORT: '',
      });
      const { stderr } = await failed.catch((error: { stderr: string }) => error);
      expect(stderr).toContain('DATABASE_URL=');
      expect(stderr).toContain('AUTH_JWT_SECRET=');
      // Thirty-two zero bytes: the shape of a key, and a placeholder.
      expect(stderr).toMatch(/AUTH_MFA_ENCRYPTION_KEY=.*must not be a placeholder/);
      expect(stderr).toContain('SMTP_URL=');
      expect(stderr).toMatch(/METRICS_TOKEN=.*required in production unless METRICS_PORT/);
    });

    it('fails fast, not hangs, when the database is unreachable', async () => {
      // The bound is the feature: one connection attempt, plus a node process's start on a busy host.
      const [connectTimeoutMs, marginMs] = [2_000, 10_000];
      const started = Date.now();
      await expect(
        node('dist/src/main.js', [], {
          DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
          DATABASE_CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
          PORT: '0',
        }),
      ).rejects.toMatchObject({ code: 1 });
      expect(Date.now() - started).toBeLessThan(connectTimeoutMs + marginMs);
    });
  });

  /** A compiled script (or another command) on this test's database, in a process of its own, its output collected. */
  function launch(args: string[], env: Record<string, string>, command = process.execPath) {
    const child = spawn(command, args, {
      env: { ...process.env, DATABASE_URL: t.databaseUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, output: () => output };
  }

  /** `node --import …/tracing.js dist/src/main.js` (what the image runs) or the given arguments, once it answers. */
  async function serve(
    env: Record<string, string> = {},
    args = [...TRACING, 'dist/src/main.js'],
    command?: string,
  ) {
    const port = await freePort();
    const { child, exited, output } = launch(
      args,
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        ...env,
      },
      command,
    );
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/health/live`).catch(() => undefined))?.ok) break;
      if (i > 300 || child.exitCode !== null) throw new Error(`the app did not start:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Ready too: a production build once shipped with a readiness check that could never pass.
    const ready = await fetch(`${base}/health/ready`);
    if (!ready.ok) throw new Error(`not ready: ${ready.status} ${await ready.text()}`);
    // Without APP_PUBLIC_URL, links in emails point at the port the app listens on.
    return { child, base, publicUrl: `http://localhost:${port}`, exited, output };
  }

  describe('as the image runs it', () => {
    /** The runtime stage's `ENV` lines and exec-form `CMD`, read from the Dockerfile itself. */
    const {
      env: imageEnv,
      command: [command, ...args],
    } = imageRuntime();

    it('gets ready with its command and environment, and answers within them', async () => {
      expect(command).toBe('node');
      expect(imageEnv).toMatchObject({ NODE_ENV: 'production', NODE_OPTIONS: expect.any(String) });
      // Once its command enabled source maps: Node decoding a 19 MB map ran out of the 160 MB heap.
      const app = await serve(
        {
          ...imageEnv,
          AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
          METRICS_TOKEN: randomBytes(24).toString('base64url'),
          SMTP_URL: 'smtp://127.0.0.1:1',
          JOBS_WORKERS_ENABLED: 'false',
        },
        args,
      );
      const api = apiClient(app.base);
      const user = await signUp(api);
      expect((await login(api, user.email)).accessToken).toBeTruthy();
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      await t.app.get(PgBoss).deleteQueuedJobs(ACCOUNT_EMAIL_QUEUE); // its welcome mail, never to be sent
    }, 30_000);
  });

  describe('shutdown', () => {
    it('on SIGTERM lets every request in flight finish, then exits 0', async () => {
      // A grace period the checks below fit in on a busy host (the default, 1 s, did not always).
      const app = await serve({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '5000' });
      const usersCount = async () => Number((await t.db.query('SELECT count(*) AS n FROM users'))[0].n);
      const before = await usersCount();
      // Sign-ups take one argon2 hash each (~50 ms on 4 threads), so many are in flight at the signal.
      const outcomes = Array.from({ length: 40 }, () =>
        fetch(`${app.base}/api/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(aUser()),
        }).then(
          (r) => r.status,
          (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
        ),
      );
      // The signal comes once sign-ups are being served: the first has reached the database.
      await eventually(async () => (await usersCount()) > before, 10_000);
      app.child.kill('SIGTERM');
      // During the grace period the server still answers, and readiness already says it is leaving.
      const ready = await eventually(async () => {
        const response = await fetch(`${app.base}/health/ready`);
        return response.status === 503 && response;
      }, 1_000);
      expect(ready.headers.get('connection')).toBe('close');
      expect((await fetch(`${app.base}/health/live`)).status).toBe(200);
      expect(await Promise.all(outcomes)).toEqual(Array(40).fill(201));
      expect(await app.exited).toBe(0);
      // After the grace period the port is closed: new connections are refused.
      await expect(fetch(`${app.base}/health/live`)).rejects.toThrow();
    }, 30_000);
  });

  describe('logs', () => {
    it('carry no password, token or hash while the authentication flows run', async () => {
      const secret = randomBytes(32).toString('base64url');
      const sink = await SmtpSink.start();
      await t.app.get(PgBoss).deleteQueuedJobs(ACCOUNT_EMAIL_QUEUE);
      const app = await serve({
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: secret,
        METRICS_TOKEN: randomBytes(24).toString('base64url'),
        SMTP_URL: sink.url,
        JOBS_WORKERS_ENABLED: 'true',
        LOG_LEVEL: 'trace',
      });
      const api = apiClient(app.base);
      const user = await signUp(api);
      const verifyToken = tokenIn(await sink.waitForMail(user.email), 'verify-email', app.publicUrl);
      await api.POST('/api/v1/auth/verify-email', { body: { token: verifyToken } });
      await api.POST('/api/v1/auth/login', { body: { email: user.email, password: 'a wrong password 123' } });
      const tokens = await login(api, user.email);
      const refreshed = (
        await api.POST('/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })
      ).data!;
      const newest = (
        await api.POST('/api/v1/auth/refresh', { body: { refreshToken: refreshed.refreshToken } })
      ).data!;
      // The first token again, once its successor was spent: not a repeat but a reuse.
      await api.POST('/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
      const second = await login(api, user.email);
      const next = 'a new passphrase for logs 9';
      await api.POST('/api/v1/auth/change-password', {
        ...bearer(second.accessToken),
        body: { currentPassword: PASSWORD, newPassword: next },
      });
      await api.GET('/api/v1/users/me', {
        headers: { authorization: `Bearer ${second.accessToken}`, cookie: 'session=abc123secret' },
      });
      const [{ password_hash: hash }] = await t.db.query('SELECT password_hash FROM users WHERE id = $1', [
        user.id,
      ]);
      await api.POST('/api/v1/auth/forgot-password', { body: { email: user.email } });
      const resetMail = await sink.waitForMail(user.email, (m) => m.subject === 'Reset your password');
      const resetToken = tokenIn(resetMail, 'reset-password', app.publicUrl);
      const afterReset = 'a reset passphrase for logs 10';
      await api.POST('/api/v1/auth/reset-password', { body: { token: resetToken, newPassword: afterReset } });
      app.child.kill('SIGTERM');
      await app.exited;
      await sink.stop();

      const log = app.output();
      expect(log).toContain('"msg":"request completed"');
      expect(log).toContain('"route":"/api/v1/auth/login"');
      expect(log).toMatch(/"msg":"login failed \(user [0-9a-f-]{36}\)"/);
      // A line written while serving a request carries its id, as the request's own line does.
      const lines = log
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      const failed = lines.find((line) => line.msg.startsWith('login failed'));
      const completed = lines.filter((line) => line.msg === 'request completed');
      expect(completed.map((line) => line.requestId)).toContain(failed.requestId);
      expect(log).toMatch(/refresh token reused/);
      expect(log).toMatch(/"msg":"password reset; every session ended \(user [0-9a-f-]{36}\)"/);
      for (const leak of [
        PASSWORD,
        next,
        afterReset,
        verifyToken,
        resetToken,
        'a wrong password 123',
        tokens.accessToken,
        tokens.refreshToken,
        refreshed.accessToken,
        refreshed.refreshToken,
        newest.accessToken,
        newest.refreshToken,
        second.accessToken,
        second.refreshToken,
        hash,
        secret,
        'abc123secret',
        // The signing keys this process signed and verified with (docs/security-model.md).
        ...(await privateKeyTexts(t)),
      ]) {
        expect(log.includes(leak) ? leak : undefined).toBeUndefined();
      }
    }, 30_000);
  });

  describe('tracing (OpenTelemetry)', () => {
    const preload = (env: Record<string, string>) =>
      run(
        process.execPath,
        [
          ...TRACING,
          '--input-type=module',
          '-e',
          // The global provider's delegate: the API's no-op until an SDK registers one.
          "const { trace } = await import('@opentelemetry/api'); console.log(trace.getTracerProvider().getDelegate().constructor.name === 'NoopTracerProvider' ? 'off' : 'on');",
        ],
        { env: { ...process.env, ...env }, timeout: 30_000 },
      );

    it('loads nothing without an endpoint, and the SDK with one', async () => {
      expect((await preload({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).stdout.trim()).toBe('off');
      expect((await preload({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' })).stdout.trim()).toBe('on');
      await expect(preload({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).rejects.toMatchObject({
        stderr: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT='),
      });
    });

    it('follows a sign-up from the caller’s trace through HTTP, SQL and the job to the SMTP send', async () => {
      const [collector, sink] = await Promise.all([OtlpReceiver.start(), SmtpSink.start()]);
      try {
        const app = await serve({
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_BSP_SCHEDULE_DELAY: '100',
          // Were the SDK to export metrics too (its default), they would come every 100 ms.
          OTEL_METRIC_EXPORT_INTERVAL: '100',
          SMTP_URL: sink.url,
          JOBS_WORKERS_ENABLED: 'true',
          LOG_LEVEL: 'info',
        });
        const traceId = randomBytes(16).toString('hex');
        const callerSpan = randomBytes(8).toString('hex');
        const traceparent = `00-${traceId}-${callerSpan}-01`;
        const body = aUser();
        const signedUp = await fetch(`${app.base}/api/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', traceparent },
          body: JSON.stringify(body),
        });
        expect(signedUp.status).toBe(201);
        const smtp = await eventually(async () =>
          collector.spansOf(traceId).find((s) => s.name === 'smtp send'),
        );
        await eventually(async () => sink.mailsTo(body.email).length > 0);

        const spans = collector.spansOf(traceId);
        const byId = new Map(spans.map((span) => [span.spanId, span]));
        const server = spans.find((span) => span.kind === 2)!;
        expect(server.parentSpanId).toBe(callerSpan);
        // Every other span of the trace hangs, through its parents, from the request's server span.
        const rootOf = (span: (typeof spans)[number]): string | undefined =>
          span.parentSpanId && byId.has(span.parentSpanId)
            ? rootOf(byId.get(span.parentSpanId)!)
            : span.spanId;
        for (const span of spans)
          expect({ span: span.name, root: rootOf(span) }).toEqual({ span: span.name, root: server.spanId });
        const insert = spans.find(
          (span) =>
            span.scope.includes('pg') &&
            /INSERT/.test(
              String(span.attributes['db.query.text'] ?? span.attributes['db.statement'] ?? span.name),
            ),
        );
        expect(insert).toBeDefined();
        const job = byId.get(smtp.parentSpanId!)!;
        expect({ name: job.name, kind: job.kind }).toEqual({ name: 'process account-email', kind: 5 });
        // Named after its route, with `http.route`.
        expect({ name: server.name, route: server.attributes['http.route'] }).toEqual({
          name: 'POST /api/v1/users',
          route: '/api/v1/users',
        });

        // The trace id in the problem, the request log line and the audit event.
        const refused = await fetch(`${app.base}/api/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', traceparent },
          body: JSON.stringify({ email: 'not an address' }),
        });
        expect(refused.status).toBe(400);
        expect(await refused.json()).toMatchObject({ traceId });
        const logged = await eventually(async () =>
          app
            .output()
            .split('\n')
            .find((line) => line.includes('"request completed"') && line.includes(`"traceId":"${traceId}"`)),
        );
        expect(JSON.parse(logged)).toMatchObject({ traceId, res: { statusCode: 201 } });
        const [event] = await t.db.query(`SELECT trace_id FROM audit_events WHERE details->>'email' = $1`, [
          body.email,
        ]);
        expect(event.trace_id).toBe(traceId);
        app.child.kill('SIGTERM');
        expect(await app.exited).toBe(0);
        // Traces only: metrics are Prometheus's, logs stdout's; the SDK's OTLP ones are not built.
        expect([...collector.paths]).toEqual(['/v1/traces']);
      } finally {
        await Promise.all([collector.stop(), sink.stop()]);
      }
    }, 60_000);

    it('answers as usual when the collector hangs, and counts the spans it dropped', async () => {
      // A collector that takes the connection and never replies: each export is in flight for its
      // whole timeout, so spans that end meanwhile find the queue full (a refused connection fails
      // in a millisecond, and whether the queue fills first is a matter of timing).
      const collector = await OtlpReceiver.start({ answers: false });
      const token = randomBytes(24).toString('base64url');
      try {
        const app = await serve({
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_BSP_SCHEDULE_DELAY: '50',
          OTEL_BSP_MAX_QUEUE_SIZE: '5',
          OTEL_BSP_EXPORT_TIMEOUT: '500',
          METRICS_TOKEN: token,
          JOBS_WORKERS_ENABLED: 'false',
        });
        const dropped = await eventually(async () => {
          const answers = await Promise.all(
            Array.from({ length: 20 }, () => fetch(`${app.base}/api/v1/users/me`).then((r) => r.status)),
          );
          expect(answers).toEqual(Array(20).fill(401));
          const text = await (
            await fetch(`${app.base}/metrics`, { headers: { authorization: `Bearer ${token}` } })
          ).text();
          const counts = [...text.matchAll(/^tracing_spans_dropped_total\{reason="([\w-]+)"\} (\d+)/gm)];
          const byReason = Object.fromEntries(counts.map(([, reason, n]) => [reason, Number(n)]));
          return byReason['queue-full'] > 0 && byReason['export-failed'] > 0 ? byReason : undefined;
        });
        expect(Object.keys(dropped).toSorted()).toEqual(['export-failed', 'queue-full']);
        // The last export at shutdown has a budget: a hung collector does not hold the exit past 25 s (exit 1).
        app.child.kill('SIGTERM');
        expect(await app.exited).toBe(0);
      } finally {
        await collector.stop();
      }
    }, 60_000);
  });

  describe('npm run worker', () => {
    let sink: SmtpSink;
    beforeAll(async () => {
      sink = await SmtpSink.start();
    });
    afterAll(async () => {
      await sink.stop();
    });
    beforeEach(async () => {
      // Jobs the tests above left queued (their sign-ups) would go first.
      await t.app.get(PgBoss).deleteQueuedJobs(ACCOUNT_EMAIL_QUEUE);
    });
    afterEach(() => {
      sink.holdMs = 0;
    });

    /** `node dist/src/worker.js` on this test's database; a lost job is noticed within seconds. */
    async function work() {
      const worker = launch([...TRACING, 'dist/src/worker.js'], {
        SMTP_URL: sink.url,
        LOG_LEVEL: 'info',
        JOBS_TIMEOUT_SECONDS: '5',
        JOBS_MONITOR_INTERVAL_SECONDS: '1',
        JOBS_RETRY_DELAY_SECONDS: '1',
      });
      const { child, output } = worker;
      await eventually(async () => output().includes('working the job queues') || child.exitCode !== null);
      if (child.exitCode !== null) throw new Error(`the worker did not start:\n${output()}`);
      return worker;
    }
    const jobOf = async (userId: string) =>
      (
        await t.db.query(
          `SELECT state, retry_count FROM pgboss.job WHERE name = 'account-email' AND data->>'userId' = $1`,
          [userId],
        )
      )[0];

    it('in production, refuses to start without what it reads, and reads nothing of HTTP', async () => {
      const failed = node('dist/src/worker.js', [], {
        NODE_ENV: 'production',
        DATABASE_URL: '',
        SMTP_URL: '',
        CORS_ORIGINS: 'not an origin',
      });
      await expect(failed).rejects.toMatchObject({ code: 1 });
      const { stderr } = await failed.catch((error: { stderr: string }) => error);
      expect(stderr).toContain('DATABASE_URL=');
      expect(stderr).toContain('SMTP_URL=');
      expect(stderr).not.toContain('CORS_ORIGINS=');
    });

    it('on SIGTERM lets the running job finish, then exits 0', async () => {
      const worker = await work();
      sink.holdMs = 1_500;
      const user = await signUp(apiClient(await t.app.getUrl()));
      await eventually(async () => sink.receiving(user.email));
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(sink.mailsTo(user.email)).toHaveLength(1);
      expect(await jobOf(user.id)).toMatchObject({ state: 'completed', retry_count: 0 });
    }, 30_000);

    it('runs a job again when its worker dies in the middle of it', async () => {
      const first = await work();
      sink.holdMs = 60_000;
      const user = await signUp(apiClient(await t.app.getUrl()));
      await eventually(async () => sink.receiving(user.email));
      first.child.kill('SIGKILL');
      await first.exited;
      // The sink sees the dead worker's connection close a moment later: until it has, a held mail
      // released now would count as delivered.
      await eventually(async () => !sink.receiving(user.email));
      sink.holdMs = 0;
      const second = await work();
      await sink.waitForMail(user.email, undefined, 30_000);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(sink.mailsTo(user.email)).toHaveLength(1);
      expect(await jobOf(user.id)).toMatchObject({ state: 'completed', retry_count: 1 });
    }, 60_000);

    it('with two workers, works each job once', async () => {
      const workers = [await work(), await work()];
      const api = apiClient(await t.app.getUrl());
      const users = await Promise.all(Array.from({ length: 20 }, () => signUp(api)));
      await Promise.all(users.map((u) => sink.waitForMail(u.email, undefined, 30_000)));
      // The barrier: every job has ended and both workers have exited; nothing can be sent after it.
      await accountEmailJobsSettled(t.db, `data->>'userId' = ANY($1)`, [users.map((u) => u.id)]);
      for (const w of workers) w.child.kill('SIGTERM');
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
      for (const u of users) expect(sink.mailsTo(u.email)).toHaveLength(1);
    }, 60_000);
  });

  describe('npm run cli', () => {
    const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
      node('dist/src/cli/cli.js', args, { DATABASE_URL: t.databaseUrl, ...env });
    const COMMANDS = [
      'create-admin',
      'suspend',
      'unsuspend',
      'end-sessions',
      'password-reset',
      'unlock',
      'audit-export',
      'dead-jobs',
      'keys',
    ];

    it('explains every command with --help, before and without any database', async () => {
      const nowhere = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' };
      const { stdout } = await cli(['--help'], nowhere);
      for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command}\\b.*\\S`, 'm'));
      for (const command of COMMANDS) {
        const help = await cli([command, '--help'], nowhere);
        expect(help.stdout).toContain(`Usage: npm run cli -- ${command}`);
      }
      expect((await cli(['suspend', '--help'], nowhere)).stdout).toMatch(
        /--email <email>[\s\S]*--reason <reason>/,
      );
      // Not understood: exit code 2, with what was wrong and the usage.
      for (const args of [['bogus'], ['suspend', '--email', 'a@example.com'], []])
        await expect(cli(args, nowhere)).rejects.toMatchObject({
          code: 2,
          stderr: expect.stringContaining('Usage:'),
        });
    }, 30_000);

    it('suspends, unsuspends, signs out everywhere and mails a reset link, as the admin API does', async () => {
      const user = await signUp(t.api);
      const first = await login(t.api, user.email);
      const me = (tokens: { accessToken: string }) =>
        send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)));
      const loginStatus = async () =>
        (await send(t.api.POST('/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } })))
          .status;

      const suspended = await cli([
        'suspend',
        '--email',
        user.email.toUpperCase(),
        '--reason',
        'Fraud; ticket OPS-9',
      ]);
      expect(suspended.stdout).toContain(`suspended ${user.email} (${user.id})`);
      expect((await me(first)).status).toBe(401);
      expect(await loginStatus()).toBe(403);
      const [row] = await t.db.query('SELECT suspension_reason FROM users WHERE id = $1', [user.id]);
      expect(row.suspension_reason).toBe('Fraud; ticket OPS-9');

      expect((await cli(['unsuspend', '--email', user.email])).stdout).toContain('unsuspended');
      const second = await login(t.api, user.email);
      expect((await cli(['end-sessions', '--email', user.email])).stdout).toContain('ended every session');
      expect((await me(second)).status).toBe(401);

      expect((await cli(['password-reset', '--email', user.email])).stdout).toContain('queued a reset link');
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'account-email' AND data->>'kind' = 'reset-password' AND data->>'email' = $1`,
        [user.email],
      );
      expect(n).toBe(1);
    }, 60_000);

    it('exports the audit log as JSON lines, the commands above recorded as an operator’s', async () => {
      const since = new Date(Date.now() - 60_000).toISOString();
      const user = await signUp(t.api);
      await cli(['suspend', '--email', user.email, '--reason', 'Audit export check']);
      // A User-Agent that a spreadsheet would run as a formula (the sign-in's, a client's choice).
      await t.http.post('/auth/login', {
        body: { email: user.email, password: 'not the password 1' },
        headers: { 'user-agent': '=HYPERLINK("http://evil.example")' },
      });
      const { stdout, stderr } = await cli(['audit-export', '--since', since]);
      const lines = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const ofUser = lines.filter((event) => event.subjectUserId === user.id);
      expect(ofUser.map((event) => [event.type, event.actorUserId, event.details])).toEqual([
        ['account.signed-up', null, { email: user.email, role: 'user' }],
        ['account.suspended', null, { suspensionReason: 'Audit export check', via: 'cli' }],
        ['login.failed', null, { reason: 'wrong-password' }],
      ]);
      expect(ofUser.at(-1).userAgent).toBe(`'=HYPERLINK("http://evil.example")`);
      expect(lines.map((event) => event.occurredAt)).toEqual(
        lines.map((event) => event.occurredAt).toSorted(),
      );
      expect(stderr).toContain(`${lines.length} event(s)`);
      const none = await cli(['audit-export', '--since', since, '--until', since]);
      expect(none.stdout).toBe('');
      await expect(cli(['audit-export', '--since', 'yesterday'])).rejects.toMatchObject({ code: 2 });
    }, 30_000);

    it('refuses what the API refuses, with the reason and exit code 1', async () => {
      const user = await signUp(t.api);
      await expect(cli(['suspend', '--email', user.email, '--reason', '   '])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/^reason: /m),
      });
      await expect(cli(['unsuspend', '--email', aUser().email])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('No user has this email address.'),
      });
      const [{ status }] = await t.db.query('SELECT status FROM users WHERE id = $1', [user.id]);
      expect(status).toBe('active');
    }, 30_000);
  });

  describe('npm run cli -- keys', () => {
    const keys = (args: string[]) =>
      node('dist/src/cli/cli.js', ['keys', ...args], { DATABASE_URL: t.databaseUrl });
    const listed = async () =>
      (await keys(['list'])).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { kid: string; state: string; until: string | null });

    it('lists the keys, refuses to rotate to a next key published too recently, rotates with --force, and retires', async () => {
      const before = await listed();
      const current = before.find((k) => k.state === 'current')!;
      const next = before.find((k) => k.state === 'next')!;
      expect(JSON.stringify(before)).not.toMatch(/sealed|PRIVATE/);
      // Published as the app booted, seconds ago: 20 minutes before it may sign.
      expect(Date.parse(next.until!)).toBeGreaterThan(Date.now());
      await expect(keys(['rotate'])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(`the next key ${next.kid} may sign from`),
      });
      const rotated = await keys(['rotate', '--force']);
      expect(rotated.stdout).toContain(`rotated: ${next.kid} (EdDSA) signs now`);
      const after = await listed();
      expect(after.find((k) => k.kid === current.kid)?.state).toBe('retired');
      expect(after.find((k) => k.kid === next.kid)?.state).toBe('current');
      const fresh = after.find((k) => k.state === 'next')!;
      expect((await keys(['retire', '--kid', fresh.kid])).stdout).toContain(`retired ${fresh.kid}`);
      await expect(keys(['retire', '--kid', current.kid])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('is already retired'),
      });
      const types = await t.db.query(
        `SELECT details->>'via' AS via FROM audit_events WHERE type = 'signing-key.rotated' ORDER BY occurred_at DESC LIMIT 1`,
      );
      expect(types).toEqual([{ via: 'cli' }]);
      // The app reads the new set on its poll; this test's instance is told now.
      await t.app.get(KeyRing).refresh();
    }, 60_000);
  });

  describe('npm run cli -- dead-jobs', () => {
    it('lists the jobs that failed for good, one JSON object a line', async () => {
      const boss = t.app.get(PgBoss);
      const id = await boss.send(deadLetterQueue(ACCOUNT_EMAIL_QUEUE), { kind: 'welcome', userId: 'gone' });
      const { stdout, stderr } = await node('dist/src/cli/cli.js', ['dead-jobs'], {
        DATABASE_URL: t.databaseUrl,
      });
      const listed = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(listed).toContainEqual(
        expect.objectContaining({
          queue: ACCOUNT_EMAIL_QUEUE,
          id,
          data: { kind: 'welcome', userId: 'gone' },
        }),
      );
      expect(stderr).toMatch(/\d+ dead job\(s\)/);
    });
  });

  // The lock lives in Redis: without one on this machine, the part that needs it is skipped (its line says why).
  (redisIfAny('npm run cli -- unlock') ? describe : describe.skip)('npm run cli -- unlock', () => {
    it('lifts the lock wrong passwords put on an address, for every instance on the same Redis', async () => {
      const redis = {
        REDIS_URL: await freshRedisDatabase(5),
        RATE_LIMIT_ENABLED: 'true',
        AUTH_LOCKOUT_THRESHOLD: '2',
      };
      const app = await startTestApp(redis, { databaseUrl: t.databaseUrl });
      try {
        const user = await signUp(app.api);
        const attempt = (password: string) =>
          app.http.post('/auth/login', { body: { email: user.email, password } });
        for (const password of ['wrong one 1', 'wrong one 2'])
          expect((await attempt(password)).status).toBe(401);
        expect((await attempt(PASSWORD)).status).toBe(429);
        await expect(node('dist/src/cli/cli.js', ['unlock'], redis)).rejects.toMatchObject({ code: 2 });
        const { stdout } = await node(
          'dist/src/cli/cli.js',
          ['unlock', '--email', user.email.toUpperCase()],
          {
            ...redis,
            DATABASE_URL: t.databaseUrl,
          },
        );
        expect(stdout).toContain('lifted the lock');
        expect((await attempt(PASSWORD)).status).toBe(200);
      } finally {
        await app.close();
      }
    }, 30_000);
  });

  describe('npm run cli -- create-admin', () => {
    const createAdmin = (args: string[], password?: string) =>
      node('dist/src/cli/cli.js', ['create-admin', ...args], {
        DATABASE_URL: t.databaseUrl,
        ADMIN_PASSWORD: password,
      });

    it('creates an admin who can log in and list users', async () => {
      const email = `root-${Date.now()}@example.com`;
      const { stdout } = await createAdmin(
        ['--email', email, '--name', 'Root'],
        'a strong admin passphrase 1',
      );
      expect(stdout).toContain('created the admin');
      const tokens = await login(t.api, email, 'a strong admin passphrase 1');
      const list = await send(
        t.api.GET('/api/v1/users', { ...bearer(tokens.accessToken), params: { query: { limit: 1 } } }),
      );
      expect(list.status).toBe(200);
      // A CLI process boots Nest: seconds on a busy two-core machine.
    }, 30_000);

    it('promotes an existing verified user, keeping their password', async () => {
      const user = await signUp(t.api);
      await markVerified(t, user.id);
      const { stdout } = await createAdmin(
        ['--email', user.email.toUpperCase(), '--name', 'X'],
        'whatever passphrase 2',
      );
      expect(stdout).toContain('promoted');
      const tokens = await login(t.api, user.email, user.password);
      expect((await send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)))).body.role).toBe('admin');
    }, 30_000);

    // docs/security-model.md, I1: a squatter's unverified account never becomes an admin's as it is.
    it('refuses to promote an account whose address was never verified, saying why, and changes nothing', async () => {
      const squatter = await signUp(t.api);
      const refused = createAdmin(['--email', squatter.email, '--name', 'X'], 'the operator passphrase 3');
      await expect(refused).rejects.toMatchObject({ code: 1 });
      const { stderr } = await refused.catch((error: { stderr: string }) => error);
      expect(stderr).toContain('never verified');
      expect(stderr).toContain('--reset');
      const tokens = await login(t.api, squatter.email, squatter.password);
      expect((await send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)))).body.role).toBe('user');
    }, 30_000);

    it('with --reset, takes an unverified account from whoever made it: their password and sessions stop working', async () => {
      const squatter = await signUp(t.api);
      const squatterTokens = await login(t.api, squatter.email, squatter.password);
      const { stdout } = await createAdmin(
        ['--email', squatter.email, '--name', 'X', '--reset'],
        'the operator passphrase 4',
      );
      expect(stdout).toContain('reset');
      const meWith = (token: string) => send(t.api.GET('/api/v1/users/me', bearer(token)));
      expect((await meWith(squatterTokens.accessToken)).status).toBe(401);
      await expect(login(t.api, squatter.email, squatter.password)).rejects.toThrow('401');
      const admin = await login(t.api, squatter.email, 'the operator passphrase 4');
      expect((await meWith(admin.accessToken)).body).toMatchObject({ role: 'admin', emailVerified: true });
    }, 30_000);

    it('refuses to run without ADMIN_PASSWORD or with a weak one, and exits non-zero', async () => {
      await expect(createAdmin(['--email', 'a@example.com', '--name', 'A'])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('ADMIN_PASSWORD'),
      });
      await expect(
        createAdmin(['--email', 'b@example.com', '--name', 'B'], 'password1234'),
      ).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('common'),
      });
      await expect(createAdmin(['--name', 'B'], 'whatever passphrase 2')).rejects.toMatchObject({ code: 2 });
      // Three CLI processes, each booting Nest: seconds apiece on a busy two-core machine.
    }, 30_000);
  });

  describe('npm run seed', () => {
    const seed = (args: string[], env: Record<string, string> = {}) =>
      node('dist/dev/seed.js', args, { DATABASE_URL: t.databaseUrl, ...env });

    it('makes an admin and N users whose printed passwords sign in, once; never in production', async () => {
      const refused = seed(['--users', '1'], { NODE_ENV: 'production' });
      await expect(refused).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('NODE_ENV=production'),
      });

      const { stdout } = await seed(['--users', '2']);
      const printed = [...stdout.matchAll(/^(\S+@seed\.example) {2}(admin|user) {2}password: (.+)$/gm)];
      expect(printed.map(([, email, role]) => [email, role])).toEqual([
        ['admin@seed.example', 'admin'],
        ['user-1@seed.example', 'user'],
        ['user-2@seed.example', 'user'],
      ]);
      for (const [, email, role, password] of printed) {
        const tokens = await login(t.api, email, password);
        expect((await send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)))).body.role).toBe(role);
      }

      const again = await seed(['--users', '2']);
      expect(again.stdout).not.toContain('password:');
      expect(again.stdout.match(/exists: left as it is/g)).toHaveLength(3);
      await expect(seed(['--users', 'many'])).rejects.toMatchObject({ code: 2 });
    }, 60_000);
  });

  describe('the migrations', () => {
    it('read only the database settings, in production too (the compose `migrate` service)', async () => {
      const { stdout } = await node('dist/src/migrations/migrations.cli.js', ['run'], {
        NODE_ENV: 'production',
        DATABASE_URL: t.databaseUrl,
        AUTH_JWT_SECRET: '',
        SMTP_URL: '',
        PORT: 'not a port',
      });
      expect(stdout).toContain('no pending migrations');
    });
  });

  describe('npm run start:prod', () => {
    it('serves what `npm run build` made, whatever script ran in between', async () => {
      const env = { ...process.env, DATABASE_URL: t.databaseUrl };
      for (const script of [['migration:run'], ['cli', '--', 'dead-jobs'], ['build']])
        await run('npm', ['run', '--silent', ...script], { env, timeout: 60_000 });
      const app = await serve({ JOBS_WORKERS_ENABLED: 'false' }, ['run', '--silent', 'start:prod'], 'npm');
      expect((await fetch(`${app.base}/api/v1/users/me`)).status).toBe(401);
      // npm passes the signal on to the app, which drains and stops listening.
      app.child.kill('SIGTERM');
      await app.exited;
      await eventually(async () => !(await fetch(`${app.base}/health/live`).catch(() => undefined)), 10_000);
    }, 90_000);
  });
});
