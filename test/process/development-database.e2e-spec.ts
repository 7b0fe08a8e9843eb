import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { killAll } from '../support/processes.js';

const run = promisify(execFile);

/**
 * The embedded PostgreSQL of development (dev/embedded-postgres.ts), as `npm start` gets it without
 * DATABASE_URL: the built app in a process of its own, on a data folder of this test's own.
 */
describe('the development database (e2e)', () => {
  // Readable by others, as a checkout is: the cluster then lives in it (see dev/embedded-postgres.ts).
  const dataDir = mkdtempSync(path.resolve('.data/devdb-'));
  chmodSync(dataDir, 0o755);
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  const children: ChildProcess[] = [];
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    await run('npm', ['run', '--silent', 'build'], { timeout: 120_000 });
  }, 180_000);
  // Whatever a test's assertions did, its app is gone before the next test starts (a live one would
  // hold the database's port and fail every test after it).
  afterEach(async () => {
    await killAll(children);
    await stopped().catch(() => undefined);
  });
  afterAll(() => {
    // A cluster moved out of the checkout goes too, not only the link to it.
    const cluster = path.join(dataDir, 'postgres');
    if (existsSync(cluster)) rmSync(realpathSync(cluster), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  function environment(extra: Record<string, string> = {}) {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATABASE_EMBEDDED_DIR: dataDir,
      DATABASE_EMBEDDED_PORT: String(port),
      JOBS_WORKERS_ENABLED: 'false',
      ...extra,
    };
    delete env.DATABASE_URL;
    return env;
  }

  /**
   * The built app on a free port, once it says it listens there and answers ready. The port is
   * free when picked but the app binds it seconds later (after initdb), so another test's server
   * may take it first: only the app's own "API on …" line proves the answers are its own, and a
   * port lost that way is picked again.
   */
  async function startApp(extra: Record<string, string> = {}) {
    for (let attempt = 1; ; attempt++) {
      const appPort = await freePort();
      const child = spawn(process.execPath, ['dist/src/main.js'], {
        env: environment({ PORT: String(appPort), HOST: '127.0.0.1', ...extra }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const base = `http://127.0.0.1:${appPort}`;
      const started = await eventually(async () => {
        if (child.exitCode !== null) return 'exited';
        if (!output.includes(`API on ${base}/`)) return false;
        return (await fetch(`${base}/health/ready`).catch(() => undefined))?.ok && 'ready';
      }, 60_000);
      if (started === 'ready') return { child, base, exited, output: () => output };
      if (attempt === 3 || !output.includes('EADDRINUSE'))
        throw new Error(`the app did not start:\n${output}`);
    }
  }

  /** True while something accepts connections on the port. */
  const listening = (at: number) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ port: at, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });

  /** The server is gone: its lock file removed and its port closed. */
  const stopped = (at = port) =>
    eventually(async () => !existsSync(pidFile) && !(await listening(at)), 15_000);

  it('says what it does on a first start, and stops when the app is killed (SIGKILL)', async () => {
    const app = await startApp();
    expect(app.output()).toMatch(/first start: creating a PostgreSQL 18[\d.]* cluster in \S+ \(initdb/);
    expect(app.output()).toContain(`embedded PostgreSQL 18`);
    // In the checkout, or (root's checkout under a 0700 home, which the postgres user cannot reach)
    // where it says it moved it, linked from the checkout.
    const inCheckout = path.join(dataDir, 'postgres');
    const moved = / the cluster lives in (\S+), linked from ([^\s"]+)/.exec(app.output());
    if (moved) expect(moved[2]).toBe(inCheckout);
    expect(app.output()).toContain(`on 127.0.0.1:${port}, data in ${moved ? moved[1] : inCheckout}`);
    if (moved) expect(realpathSync(inCheckout)).toBe(realpathSync(moved[1]));
    expect(await listening(port)).toBe(true);
    app.child.kill('SIGKILL');
    await app.exited;
    await stopped();
  }, 60_000);

  it('stops with the app when its terminal closes (SIGHUP), and the app exits 0', async () => {
    const app = await startApp();
    expect(app.output()).not.toContain('first start');
    app.child.kill('SIGHUP');
    expect(await app.exited).toBe(0);
    await stopped();
  }, 60_000);

  it('stops with the app when the signal comes twice (npm forwarding a kill of the group)', async () => {
    const app = await startApp({ SHUTDOWN_GRACE_MS: '1000' });
    app.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    await stopped();
  }, 60_000);

  it('uses another free port, and says so, when another server holds its own', async () => {
    const squatter = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const app = await startApp();
      const moved = new RegExp(
        `port ${port} is taken by another server: the embedded PostgreSQL uses (\\d+) instead`,
      );
      const match = moved.exec(app.output());
      expect(match).not.toBeNull();
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      await stopped(Number(match![1]));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);

  it('is shared with a command run beside the app, which leaves it running', async () => {
    const app = await startApp();
    const { stderr } = await run(process.execPath, ['dist/src/cli/cli.js', 'dead-jobs'], {
      env: environment(),
      timeout: 30_000,
    });
    expect(stderr).toMatch(/dead job/);
    expect((await fetch(`${app.base}/health/ready`)).status).toBe(200);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    await stopped();
  }, 60_000);
});
