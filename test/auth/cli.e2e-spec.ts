import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { login, signUp } from '../support/factories.js';
import { bearer, send } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

describe('npm run cli -- create-admin (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    // The CLI runs as it ships: compiled.
    await run('npx', ['nest', 'build'], { timeout: 120_000 });
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  const createAdmin = (args: string[], password?: string) =>
    run(process.execPath, ['dist/src/cli/cli.js', 'create-admin', ...args], {
      env: { ...process.env, DATABASE_URL: t.databaseUrl, ...(password ? { ADMIN_PASSWORD: password } : {}) },
    });

  it('creates an admin who can log in and list users', async () => {
    const email = `root-${Date.now()}@example.com`;
    const { stdout } = await createAdmin(['--email', email, '--name', 'Root'], 'a strong admin passphrase 1');
    expect(stdout).toContain('created the admin');
    const tokens = await login(t.api, email, 'a strong admin passphrase 1');
    expect((await t.http.get('/users?limit=1', { token: tokens.accessToken })).status).toBe(200);
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
