import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrl, onServer } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { signUp } from '../support/factories.js';
import { PgBouncer } from '../support/pgbouncer.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The app through Debian's PgBouncer 1.18 in transaction mode, with two server connections for
 * many clients: each transaction may run on another server connection than the last.
 */
describe('through PgBouncer in transaction mode (e2e)', () => {
  let pooler: PgBouncer;
  const serverUrl = () => process.env.TEST_SERVER_URL!;

  beforeAll(async () => {
    pooler = await PgBouncer.start(serverUrl(), { poolSize: 2 });
  });
  afterAll(() => pooler?.stop());

  /** The app on a new, empty database through the pooler, migrated at boot over the direct URL. */
  async function appThroughPooler(env: Record<string, string>): Promise<{ t: TestApp; database: string }> {
    const database = `gatehouse_pooled_${randomBytes(6).toString('hex')}`;
    await onServer((c) => c.query(`CREATE DATABASE ${database}`));
    const direct = databaseUrl(serverUrl(), database);
    const t = await startTestApp(
      {
        DATABASE_URL: databaseUrl(pooler.urlFor(serverUrl()), database),
        DATABASE_DIRECT_URL: direct,
        DATABASE_MIGRATE: 'true',
        ...env,
      },
      { databaseUrl: direct },
    );
    return { t, database };
  }

  async function close({ t, database }: { t: TestApp; database: string }) {
    await t.close();
    await onServer((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }

  /** Fifty signed-in reads at once: the principal's and the user's statements on every one. */
  async function burst(t: TestApp): Promise<number[]> {
    const user = await signUp(t.api);
    const login = await t.http.post('/auth/login', { body: { email: user.email, password: user.password } });
    const token = login.body.accessToken as string;
    const answers = await Promise.all(Array.from({ length: 50 }, () => t.http.get('/users/me', { token })));
    return answers.map((answer) => answer.status);
  }

  it('serves with DATABASE_PREPARED_STATEMENTS=false on two server connections, after migrating directly', async () => {
    const app = await appThroughPooler({ DATABASE_PREPARED_STATEMENTS: 'false' });
    try {
      expect(new Set(await burst(app.t))).toEqual(new Set([200]));
      // PgBouncer's pool, not the app's ten connections, is what the server sees.
      const { rows } = await onServer((c) =>
        c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'gatehouse'`,
          [app.database],
        ),
      );
      // At least the one that served the burst (a 0 would mean the query looked in the wrong place).
      expect(rows[0].n).toBeGreaterThanOrEqual(1);
      expect(rows[0].n).toBeLessThanOrEqual(2);
    } finally {
      await close(app);
    }
  });

  it('fails with named prepared statements, which PgBouncer 1.18 cannot keep: why the setting exists', async () => {
    const app = await appThroughPooler({ DATABASE_PREPARED_STATEMENTS: 'true' });
    // Two clients of the pooler that each hold one of its two server connections in an open
    // transaction, so the test decides which server connection the app is lent. A burst alone only
    // races into the failure: a fast database lets two pg connections keep two server connections.
    const pooled = databaseUrl(pooler.urlFor(serverUrl()), app.database);
    const [first, second] = [new pg.Client(pooled), new pg.Client(pooled)];
    const hold = async (client: pg.Client) => {
      await client.query('BEGIN');
      return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    };
    const statuses: number[] = [];
    const me = async (token: string) => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => app.t.http.get('/users/me', { token, serverError: 500 })),
      );
      statuses.push(...answers.map((answer) => answer.status));
    };
    try {
      await Promise.all([first.connect(), second.connect()]);
      const firstPid = await hold(first);
      // The app on the second server connection only: a second pg connection that prepares a
      // statement there meets "prepared statement … already exists".
      const user = await signUp(app.t.api);
      const token = await eventually(async () => {
        const login = await app.t.http.post('/auth/login', {
          body: { email: user.email, password: user.password },
          serverError: 500,
        });
        return login.status === 200 && (login.body.accessToken as string);
      }, 10_000);
      await me(token);
      // Then on the first only: a pg connection that prepared a statement on the second sends
      // just Bind for it, which the first has never seen ("… does not exist").
      expect(await hold(second)).not.toBe(firstPid);
      await first.query('COMMIT');
      await me(token);
      expect(statuses).toContain(500);
      expect(statuses.filter((status) => status !== 200 && status !== 500)).toEqual([]);
    } finally {
      await Promise.all([first.end(), second.end()].map((ended) => ended.catch(() => undefined)));
      await close(app);
    }
  });

  it('keeps a transaction on one server connection (row locks and SET LOCAL hold to its end)', async () => {
    const app = await appThroughPooler({ DATABASE_PREPARED_STATEMENTS: 'false' });
    try {
      const pids = await app.t.db.transaction(async (manager) => {
        const seen: number[] = [];
        for (let i = 0; i < 5; i++) seen.push((await manager.query('SELECT pg_backend_pid() AS pid'))[0].pid);
        return seen;
      });
      expect(new Set(pids).size).toBe(1);
    } finally {
      await close(app);
    }
  });
});
