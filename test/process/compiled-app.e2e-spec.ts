import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { apiClient, bearer, send } from '../support/api-client.js';
import { aUser, login, PASSWORD, signUp } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

/** The compiled app and CLI as they ship, in processes of their own (built once, here). */
describe('the compiled app (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await run('npx', ['nest', 'build'], { timeout: 120_000 });
  }, 180_000);
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

    it('refuses to start in production without a database URL and a real signing key', async () => {
      const failed = node('dist/src/main.js', [], {
        NODE_ENV: 'production',
        DATABASE_URL: '',
        AUTH_JWT_SECRET: 'changeme',
      });
      const { stderr } = await failed.catch((error: { stderr: string }) => error);
      expect(stderr).toContain('DATABASE_URL=');
      expect(stderr).toContain('AUTH_JWT_SECRET=');
    });

    it('fails fast, not hangs, when the database is unreachable', async () => {
      const started = Date.now();
      await expect(
        node('dist/src/main.js', [], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', PORT: '0' }),
      ).rejects.toMatchObject({ code: 1 });
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  });

  /** `node dist/src/main.js` on this test's database, its output collected. */
  async function serve(env: Record<string, string> = {}) {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, DATABASE_URL: t.databaseUrl, PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/health/live`).catch(() => undefined))?.ok) break;
      if (i > 300 || child.exitCode !== null) throw new Error(`the app did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { child, base, exited, output: () => output };
  }

  describe('shutdown', () => {
    it('on SIGTERM lets every request in flight finish, then exits 0', async () => {
      const app = await serve({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn' });
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
      await new Promise((r) => setTimeout(r, 200));
      app.child.kill('SIGTERM');
      expect(await Promise.all(outcomes)).toEqual(Array(40).fill(201));
      expect(await app.exited).toBe(0);
      // After the grace period the port is closed: new connections are refused.
      await expect(fetch(`${app.base}/health/live`)).rejects.toThrow();
    });
  });

  describe('logs', () => {
    it('carry no password, token or hash while the authentication flows run', async () => {
      const secret = randomBytes(32).toString('base64url');
      const app = await serve({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, LOG_LEVEL: 'trace' });
      const api = apiClient(app.base);
      const user = await signUp(api);
      await api.POST('/api/v1/auth/login', { body: { email: user.email, password: 'a wrong password 123' } });
      const tokens = await login(api, user.email);
      const refreshed = (
        await api.POST('/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })
      ).data!;
      await api.POST('/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } }); // reuse
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
      app.child.kill('SIGTERM');
      await app.exited;

      const log = app.output();
      expect(log).toContain('"msg":"request completed"');
      expect(log).toContain('"route":"/api/v1/auth/login"');
      expect(log).toMatch(/"msg":"login failed \(user [0-9a-f-]{36}\)"/);
      expect(log).toMatch(/refresh token reused/);
      for (const leak of [
        PASSWORD,
        next,
        'a wrong password 123',
        tokens.accessToken,
        tokens.refreshToken,
        refreshed.accessToken,
        refreshed.refreshToken,
        second.accessToken,
        second.refreshToken,
        hash,
        secret,
        'abc123secret',
      ]) {
        expect(log.includes(leak) ? leak : undefined).toBeUndefined();
      }
    });
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
    });

    it('promotes an existing user, keeping their password', async () => {
      const user = await signUp(t.api);
      const { stdout } = await createAdmin(
        ['--email', user.email.toUpperCase(), '--name', 'X'],
        'whatever passphrase 2',
      );
      expect(stdout).toContain('promoted');
      const tokens = await login(t.api, user.email, user.password);
      expect((await send(t.api.GET('/api/v1/users/me', bearer(tokens.accessToken)))).body.role).toBe('admin');
    });

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
    });
  });
});
