import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { asPostgres, giveToPostgres } from './as-postgres.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** This machine's PostgreSQL server binaries: the newest major under /usr/lib/postgresql. */
async function serverBinaries(): Promise<string> {
  const majors = (await readdir('/usr/lib/postgresql')).map(Number).filter(Number.isInteger);
  if (majors.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  return `/usr/lib/postgresql/${Math.max(...majors)}/bin`;
}

/**
 * A primary and a streaming replica of it, made with this machine's own server binaries (`initdb`,
 * `pg_basebackup -R`, `pg_ctl`) on free ports, in a directory of their own that `stop` removes.
 */
export class StreamingReplication {
  // Fields written out, not parameter properties: `npm run fleet` loads this with Node's type stripping.
  private readonly dir: string;
  private readonly bin: string;
  readonly primaryPort: number;
  readonly replicaPort: number;

  private constructor(dir: string, bin: string, primaryPort: number, replicaPort: number) {
    this.dir = dir;
    this.bin = bin;
    this.primaryPort = primaryPort;
    this.replicaPort = replicaPort;
  }

  get primaryUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.primaryPort}/postgres`;
  }

  get replicaUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.replicaPort}/postgres`;
  }

  static async start(): Promise<StreamingReplication> {
    const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-replication-'));
    const cluster = new StreamingReplication(dir, await serverBinaries(), await freePort(), await freePort());
    await giveToPostgres(dir);
    await cluster.pg('initdb', [
      '-D',
      cluster.data('primary'),
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
    ]);
    // The defaults stream WAL to standbys (wal_level replica, max_wal_senders 10) and let them
    // answer reads (hot_standby); initdb's trust entries cover replication from 127.0.0.1.
    await appendFile(
      path.join(cluster.data('primary'), 'postgresql.conf'),
      [
        `port = ${cluster.primaryPort}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'fsync = off',
        'max_connections = 60',
      ].join('\n') + '\n',
    );
    await cluster.pgCtl('primary', 'start');
    await cluster.pg('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(cluster.primaryPort),
      '-U',
      'postgres',
      '-D',
      cluster.data('replica'),
      '-R',
      '-X',
      'stream',
      '--no-sync',
    ]);
    await appendFile(
      path.join(cluster.data('replica'), 'postgresql.conf'),
      `port = ${cluster.replicaPort}\n`,
    );
    await cluster.startReplica();
    return cluster;
  }

  async startReplica(): Promise<void> {
    await this.pgCtl('replica', 'start');
  }

  /** A fast shutdown: connections to it end, new ones are refused. */
  async stopReplica(): Promise<void> {
    await this.pgCtl('replica', 'stop', ['-m', 'fast']);
  }

  /** The replica keeps receiving WAL but applies none of it: its data stays where it is. */
  async pauseReplay(): Promise<void> {
    await this.query(this.replicaUrl, 'SELECT pg_wal_replay_pause()');
  }

  async resumeReplay(): Promise<void> {
    await this.query(this.replicaUrl, 'SELECT pg_wal_replay_resume()');
  }

  /** Waits until the replica has applied everything the primary had written when this was called. */
  async caughtUp(timeoutMs = 10_000): Promise<void> {
    const [{ lsn }] = await this.query<{ lsn: string }>(
      this.primaryUrl,
      'SELECT pg_current_wal_lsn() AS lsn',
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ behind }] = await this.query<{ behind: boolean }>(
        this.replicaUrl,
        'SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind',
        [lsn],
      );
      if (!behind) return;
      if (Date.now() > deadline) throw new Error(`the replica did not reach ${lsn} in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async query<T extends object>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    for (const server of ['replica', 'primary'] as const)
      await this.pgCtl(server, 'stop', ['-m', 'immediate']).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private data(server: 'primary' | 'replica'): string {
    return path.join(this.dir, server);
  }

  private pgCtl(server: 'primary' | 'replica', action: string, options: string[] = []): Promise<void> {
    const log = path.join(this.dir, `${server}.log`);
    return this.pg('pg_ctl', ['-D', this.data(server), '-l', log, '-w', ...options, action]);
  }

  private async pg(binary: string, args: string[]): Promise<void> {
    const command = path.join(this.bin, binary);
    // In the cluster's directory: the postgres user may not enter the one Jest runs in.
    await run(...asPostgres(command, args), { cwd: this.dir });
  }
}
