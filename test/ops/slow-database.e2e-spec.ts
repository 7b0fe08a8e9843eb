import pg from 'pg';
import { aSignedInUser, expectProblem } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const STATEMENT_TIMEOUT_MS = 300;
/** What a busy host adds to a request besides the statement (a sign-in's argon2 is not in it). */
const MARGIN_MS = 4_000;

/** DATABASE_STATEMENT_TIMEOUT_MS on a real PostgreSQL: a statement stuck behind a lock. */
describe('a statement that outlives the statement timeout (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a 503 with Retry-After instead of hanging, changes nothing, and serves once the lock goes', async () => {
    // Signed in through an instance with the default timeouts, on the same database: at 300 ms the
    // idle-in-transaction limit is 600 ms, which a sign-in's argon2 on a busy host can pass (a 503
    // in the set-up, seen once in CI), and the sign-in is not what this test is about.
    const other = await startTestApp({}, { databaseUrl: t.databaseUrl });
    const { user, tokens } = await aSignedInUser(other.api, { name: 'Before' }).finally(() => other.close());
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      // Another connection holds the user's row: the rename below waits for it, then is cancelled.
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      const started = Date.now();
      const stuck = await t.http.patch('/users/me', {
        token: tokens.accessToken,
        body: { name: 'Blocked' },
        serverError: 503,
      });
      expect(expectProblem(stuck, 503).detail).toMatch(/did not answer in time/);
      expect(Number(stuck.headers.get('retry-after'))).toBeGreaterThan(0);
      // Cut off by the statement timeout (the feature), far from REQUEST_TIMEOUT_MS (30 s): not a hang.
      expect(Date.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + MARGIN_MS);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    const [row] = await t.db.query('SELECT name FROM users WHERE id = $1', [user.id]);
    expect(row.name).toBe('Before');
    const renamed = await t.http.patch('/users/me', { token: tokens.accessToken, body: { name: 'After' } });
    expect(renamed.body.name).toBe('After');
  });
});
