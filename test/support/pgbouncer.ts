import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { asPostgres, giveToPostgres } from './as-postgres.js';
import { freePort } from './free-port.js';

/**
 * Debian's PgBouncer (1.18 on this machine: `apt-get install pgbouncer`) in transaction pooling
 * mode in front of a PostgreSQL server, on a free port, for every database of that server. It
 * refuses to run as root, so as root it runs as the `postgres` user. `stop` ends it and removes its
 * directory.
 */
export class PgBouncer {
  // Fields written out, not parameter properties: global-setup and `npm run fleet` load this with
  // Node's type stripping.
  private readonly dir: string;
  private readonly child: ChildProcess;
  readonly port: number;

  private constructor(dir: string, child: ChildProcess, port: number) {
    this.dir = dir;
    this.child = child;
    this.port = port;
  }

  /** `serverUrl` with its host and port replaced by the pooler's. */
  urlFor(serverUrl: string): string {
    const url = new URL(serverUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  static async start(serverUrl: string, { poolSize = 20 } = {}): Promise<PgBouncer> {
    const server = new URL(serverUrl);
    const user = decodeURIComponent(server.username) || 'postgres';
    const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-pgbouncer-'));
    const port = await freePort();
    const ini = path.join(dir, 'pgbouncer.ini');
    // Clients are trusted; the password is what PgBouncer gives the server (the embedded one wants it).
    const password = decodeURIComponent(server.password);
    await writeFile(path.join(dir, 'users.txt'), `"${user}" "${password}"\n`);
    await writeFile(
      ini,
      [
        '[databases]',
        `* = host=${server.hostname} port=${server.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        `unix_socket_dir = ${dir}`,
        'pool_mode = transaction',
        'auth_type = trust',
        `auth_file = ${path.join(dir, 'users.txt')}`,
        `default_pool_size = ${poolSize}`,
        'max_client_conn = 2000',
        // pg sends the app's session timeouts as startup parameters, which a transaction pooler
        // cannot honour per client (docs/operations.md: set them on the role behind a pooler).
        'ignore_startup_parameters = statement_timeout,idle_in_transaction_session_timeout',
        // The test databases are dropped WITH (FORCE) while the pooler may hold idle connections.
        'server_login_retry = 1',
        `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      ].join('\n') + '\n',
    );
    await giveToPostgres(dir, ini, path.join(dir, 'users.txt'));
    const [command, args] = asPostgres('pgbouncer', [ini]);
    const child = spawn(command, args, { cwd: dir, stdio: 'ignore' });
    const pooler = new PgBouncer(dir, child, port);
    try {
      await pooler.accepting(pooler.urlFor(serverUrl));
    } catch (error) {
      await pooler.stop();
      throw error;
    }
    return pooler;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      // runuser passes the signal on; SIGTERM is PgBouncer's immediate shutdown (SIGINT waits for clients).
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async accepting(url: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        if (this.child.exitCode !== null)
          throw new Error(`PgBouncer exited (${this.child.exitCode})`, { cause: error });
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }
}
