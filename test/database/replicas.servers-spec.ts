import { ReplicaReads } from '../../src/database/replica-reads.js';
import { User } from '../../src/users/entities/user.entity.js';
import { eventually } from '../support/eventually.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { aSignedInUser, signUp } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { StreamingReplication } from '../support/streaming-replication.js';

/**
 * DATABASE_REPLICA_URLS against a real streaming replica of a real primary (this machine's
 * PostgreSQL binaries). Which server answered is seen two ways: `pg_is_in_recovery()` from the
 * connection a read was given, and data the primary has and the replica, its replay paused, has not.
 */
describe('read replicas (e2e, a streaming replica)', () => {
  let cluster: StreamingReplication;
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    cluster = await StreamingReplication.start();
    t = await startTestApp(
      { DATABASE_REPLICA_URLS: cluster.replicaUrl, DATABASE_MIGRATE: 'true' },
      { databaseUrl: cluster.primaryUrl },
    );
    admin = (await aSignedInAdmin(t)).tokens.accessToken;
    await cluster.caughtUp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  const inRecovery = (rows: { recovery: boolean }[]) => rows[0].recovery;
  const inRecoveryQuery = { name: 'in_recovery', text: 'SELECT pg_is_in_recovery() AS recovery' };
  const listed = async (email: string) =>
    (await t.http.get(`/users?search=${encodeURIComponent(email)}`, { token: admin })).body.items.length;

  it('runs a repository’s replica reads on the replica and everything else on the primary', async () => {
    const reads = t.app.get(ReplicaReads);
    const sql = 'SELECT pg_is_in_recovery() AS recovery';
    expect(inRecovery(await reads.prepared(inRecoveryQuery, []))).toBe(true);
    expect(inRecovery(await t.db.query(sql))).toBe(false);
    expect(inRecovery(await t.db.transaction((manager) => manager.query(sql)))).toBe(false);
    // A find or query builder of TypeORM's, which by default would go to a replica.
    const users = t.db.getRepository(User).createQueryBuilder('u').select('pg_is_in_recovery()', 'recovery');
    expect(inRecovery(await users.limit(1).getRawMany())).toBe(false);
  });

  describe('while the replica lags (replay paused)', () => {
    beforeEach(() => cluster.pauseReplay());
    afterEach(async () => {
      await cluster.resumeReplay();
      await cluster.caughtUp();
    });

    it('lists users from the replica, and reads a user just written, and the caller, from the primary', async () => {
      const { user, tokens } = await aSignedInUser(t.api);
      expect(await listed(user.email)).toBe(0);
      expect((await t.http.get(`/users/${user.id}`, { token: admin })).status).toBe(200);
      expect((await t.http.get('/users/me', { token: tokens.accessToken })).body).toMatchObject({
        id: user.id,
      });
      await cluster.resumeReplay();
      await cluster.caughtUp();
      expect(await listed(user.email)).toBe(1);
    });

    it('refuses a revoked session at once: access is decided on the primary', async () => {
      const { tokens } = await aSignedInUser(t.api);
      await cluster.resumeReplay();
      await cluster.caughtUp();
      await cluster.pauseReplay();
      expect((await t.http.get('/users/me', { token: tokens.accessToken })).status).toBe(200);
      expect((await t.http.post('/auth/logout', { token: tokens.accessToken })).status).toBe(204);
      expect((await t.http.get('/users/me', { token: tokens.accessToken })).status).toBe(401);
      const refreshed = await t.http.post('/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
      expect(refreshed.status).toBe(401);
    });

    it('lists audit events from the replica', async () => {
      const user = await signUp(t.api);
      const events = async () =>
        (await t.http.get(`/audit-events?subjectUserId=${user.id}`, { token: admin })).body.items.length;
      expect(await events()).toBe(0);
      await cluster.resumeReplay();
      await cluster.caughtUp();
      expect(await events()).toBeGreaterThan(0);
    });
  });

  it('serves reads from the primary while the replica is down, stays ready, and counts the fallbacks', async () => {
    const reads = t.app.get(ReplicaReads);
    const before = reads.fallbacks;
    const user = await signUp(t.api);
    await cluster.stopReplica();
    try {
      expect(await listed(user.email)).toBe(1);
      expect(await listed(user.email)).toBe(1);
      expect((await t.http.get('/health/ready')).status).toBe(200);
      expect(reads.fallbacks).toBe(before + 2);
      expect((await t.http.get('/metrics')).text).toContain(`db_replica_fallbacks_total ${before + 2}`);
    } finally {
      await cluster.startReplica();
    }
    // Tried again a few seconds after the failure.
    await eventually(async () => inRecovery(await reads.prepared(inRecoveryQuery, [])), 15_000);
  });

  it('starts with a replica that cannot be reached, and serves from the primary', async () => {
    const closed = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const other = await startTestApp(
      { DATABASE_REPLICA_URLS: `${closed},${cluster.replicaUrl}` },
      { databaseUrl: cluster.primaryUrl },
    );
    try {
      // The one that answered at boot is used; the other is left out.
      expect(inRecovery(await other.app.get(ReplicaReads).prepared(inRecoveryQuery, []))).toBe(true);
      expect((await other.http.get('/health/ready')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
