import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bearer, send } from '../support/api-client.js';
import { login, signUp } from '../support/factories.js';
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
