import { PgBoss } from 'pg-boss';
import { Retention } from '../../src/jobs/retention.js';
import { aSignedInUser, login, signUp, type Tokens } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DAY = 86_400_000;

describe('retention: what the scheduled job deletes (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      RETENTION_ENDED_SESSIONS: '30d',
      RETENTION_BATCH_SIZE: '10',
      RETENTION_SCHEDULE: '*/5 * * * *',
      AUTH_SESSION_IDLE_TTL: '7d',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const sessionIdOf = (tokens: Tokens): string =>
    JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString()).sid;
  const ago = (days: number) => new Date(Date.now() - days * DAY);
  const exists = async (table: string, column: string, value: unknown) =>
    (await t.db.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [value])).length === 1;

  // docs/security-model.md, I1: a squat on an address its owner never proved does not last.
  it('deletes accounts never verified within AUTH_UNVERIFIED_ACCOUNT_TTL (7 days), recording each; keeps the rest', async () => {
    const [squat, recent, verified, admin] = await Promise.all([0, 1, 2, 3].map(() => signUp(t.api)));
    await t.db.query(`UPDATE users SET created_at = $2 WHERE id = ANY($1)`, [
      [squat!.id, verified!.id, admin!.id],
      ago(8),
    ]);
    await t.db.query(`UPDATE users SET created_at = $2 WHERE id = $1`, [recent!.id, ago(6)]);
    await t.db.query(`UPDATE users SET email_verified = true WHERE id = $1`, [verified!.id]);
    await t.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin!.id]);

    const counts = await t.app.get(Retention).run();
    expect(counts.users_unverified).toBe(1);
    expect(await exists('users', 'id', squat!.id)).toBe(false);
    for (const kept of [recent!, verified!, admin!]) expect(await exists('users', 'id', kept.id)).toBe(true);
    const events = await t.db.query(
      `SELECT details, actor_user_id FROM audit_events WHERE subject_user_id = $1 AND type = 'account.deleted'`,
      [squat!.id],
    );
    expect(events).toEqual([{ details: { neverVerified: true }, actor_user_id: null }]);
    // The address is free for its owner again.
    expect(
      (
        await t.http.post('/users', {
          body: { email: squat!.email, password: 'the owner passphrase 1', name: 'Owner' },
        })
      ).status,
    ).toBe(201);
  });

  it('deletes sessions ended longer ago than RETENTION_ENDED_SESSIONS, with their tokens; keeps the rest', async () => {
    const { user, tokens: live } = await aSignedInUser(t.api);
    // A live session keeps its spent refresh tokens: reuse detection needs them.
    const spent = await t.http.post('/auth/refresh', { body: { refreshToken: live.refreshToken } });
    expect(spent.status).toBe(200);
    const [expiredLongAgo, expiredLately, idleLongAgo, idleLately] = await Promise.all(
      [0, 1, 2, 3].map(() => login(t.api, user.email)),
    );
    const set = (tokens: Tokens, column: string, at: Date) =>
      t.db.query(`UPDATE sessions SET ${column} = $2 WHERE id = $1`, [sessionIdOf(tokens), at]);
    // Ended 31 days ago (past 30), and 29 days ago (not yet).
    await t.db.query(`UPDATE sessions SET created_at = $2, last_used_at = $2 WHERE id = ANY($1)`, [
      [expiredLongAgo, expiredLately, idleLongAgo, idleLately].map(sessionIdOf),
      ago(70),
    ]);
    await set(expiredLongAgo, 'expires_at', ago(31));
    await set(expiredLately, 'expires_at', ago(29));
    await set(expiredLately, 'last_used_at', ago(29.5));
    // Idle ends 7 days after the last use: ended 31 days ago, and 29 days ago.
    await set(idleLongAgo, 'last_used_at', ago(38));
    await set(idleLately, 'last_used_at', ago(36));
    await t.db.query(`UPDATE sessions SET expires_at = $2 WHERE id = ANY($1)`, [
      [idleLongAgo, idleLately].map(sessionIdOf),
      new Date(Date.now() + DAY),
    ]);

    const counts = await t.app.get(Retention).run();
    expect(counts.sessions).toBe(2);
    for (const gone of [expiredLongAgo, idleLongAgo]) {
      expect(await exists('sessions', 'id', sessionIdOf(gone))).toBe(false);
      expect(await exists('refresh_tokens', 'session_id', sessionIdOf(gone))).toBe(false);
    }
    for (const kept of [expiredLately, idleLately, live])
      expect(await exists('sessions', 'id', sessionIdOf(kept))).toBe(true);
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM refresh_tokens WHERE session_id = $1', [
      sessionIdOf(live),
    ]);
    expect(n).toBe(2);
  });

  it('deletes expired link tokens and keeps live ones, in batches until none is left', async () => {
    const { user } = await aSignedInUser(t.api);
    const made = ago(3);
    const insert = (count: number, expiresAt: Date) =>
      t.db.query(
        `INSERT INTO account_tokens (token_hash, purpose, user_id, bound_to, created_at, expires_at)
         SELECT decode(md5(random()::text || i), 'hex'), 'verify-email', $1, decode(md5(i::text), 'hex'), $2, $3
           FROM generate_series(1, $4) AS i`,
        [user.id, made, expiresAt, count],
      );
    await insert(25, ago(1)); // three batches of ten
    await insert(4, new Date(Date.now() + DAY));
    const counts = await t.app.get(Retention).run();
    expect(counts.account_tokens).toBe(25);
    // The four live ones stay (beside the welcome mail's, made by the worker).
    const rows = await t.db.query('SELECT 1 FROM account_tokens WHERE user_id = $1 AND created_at = $2', [
      user.id,
      made,
    ]);
    expect(rows).toHaveLength(4);
    expect(await t.db.query('SELECT 1 FROM account_tokens WHERE expires_at <= now()')).toEqual([]);
    const metrics = (await t.http.get('/metrics')).text;
    expect(metrics).toMatch(/^retention_deleted_rows_total\{table="account_tokens"\} 25$/m);
  });

  it("keeps one schedule in pg-boss's scheduler, with RETENTION_SCHEDULE, however many instances start", async () => {
    const second = await startTestApp({ RETENTION_SCHEDULE: '*/5 * * * *' }, { databaseUrl: t.databaseUrl });
    try {
      const schedules = await t.app.get(PgBoss).getSchedules('retention');
      expect(schedules.map((s) => ({ name: s.name, cron: s.cron, timezone: s.timezone }))).toEqual([
        { name: 'retention', cron: '*/5 * * * *', timezone: 'UTC' },
      ]);
    } finally {
      await second.close();
    }
  });
});
