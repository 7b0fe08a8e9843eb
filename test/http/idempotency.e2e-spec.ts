import { randomUUID } from 'node:crypto';
import { Retention } from '../../src/jobs/retention.js';
import { aSignedInUser, aUser, expectProblem, signUp } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** `Idempotency-Key` on the POSTs that create or send something: a retry replays, never repeats. */
describe('Idempotency-Key (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const usersWith = async (email: string) =>
    Number((await t.db.query('SELECT count(*) AS n FROM users WHERE email = $1', [email]))[0].n);
  const queued = async (kind: string, userId: string) =>
    Number(
      (
        await t.db.query(
          `SELECT count(*) AS n FROM pgboss.job WHERE name = 'account-email' AND data->>'kind' = $1 AND data->>'userId' = $2`,
          [kind, userId],
        )
      )[0].n,
    );
  const keyRow = async (key: string) =>
    (
      await t.db.query('SELECT status, expires_at, created_at FROM idempotent_requests WHERE key = $1', [key])
    )[0];
  const signUpWith = (key: string, body: object) =>
    t.http.post('/users', { body, headers: { 'idempotency-key': key } });
  const resendWith = (key: string, token: string) =>
    t.http.post('/auth/verify-email/resend', { token, headers: { 'idempotency-key': key } });

  it('replays the first answer to the same key and body (status, Location, body) without signing up twice', async () => {
    const key = randomUUID();
    const body = aUser();
    const first = await signUpWith(key, body);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await signUpWith(key, body);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.text).toBe(first.text);
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(await usersWith(body.email)).toBe(1);
    expect(await queued('welcome', first.body.id)).toBe(1);
    // The same key in quotes (a structured-field string) is the same key.
    expect((await signUpWith(`"${key}"`, body)).headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses the same key with another body, or on another route, with a 422 that does nothing', async () => {
    const key = randomUUID();
    const body = aUser();
    expect((await signUpWith(key, body)).status).toBe(201);
    const other = aUser();
    const reused = await signUpWith(key, other);
    expectProblem(reused, 422);
    expect(reused.body.type).toBe('/problems/idempotency-key-reused');
    expect(await usersWith(other.email)).toBe(0);

    const elsewhere = await t.http.post('/auth/forgot-password', {
      body: { email: body.email },
      headers: { 'idempotency-key': key },
    });
    expectProblem(elsewhere, 422);
  });

  it('does the work once when ten requests with one key arrive together; the rest replay or get a 409', async () => {
    const key = randomUUID();
    const body = aUser();
    const answers = await Promise.all(Array.from({ length: 10 }, () => signUpWith(key, body)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const fresh = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    for (const busy of answers.filter((a) => a.status === 409)) {
      expect(busy.body.type).toBe('/problems/idempotency-key-in-use');
      expect(busy.headers.get('retry-after')).toBe('1');
    }
    expect(await usersWith(body.email)).toBe(1);
    expect((await signUpWith(key, body)).headers.get('idempotent-replayed')).toBe('true');
  });

  it('remembers no error: a retry after a 409 runs again, and succeeds once the conflict is gone', async () => {
    const taken = await signUp(t.api);
    const key = randomUUID();
    const body = aUser({ email: taken.email });
    expectProblem(await signUpWith(key, body), 409);
    expect(await keyRow(key)).toBeUndefined();

    await t.db.query('DELETE FROM users WHERE id = $1', [taken.id]);
    const retried = await signUpWith(key, body);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('scopes keys to the caller: two accounts may use the same key, each for its own request', async () => {
    const key = randomUUID();
    const alice = await aSignedInUser(t.api);
    const bob = await aSignedInUser(t.api);
    const forAlice = await resendWith(key, alice.tokens.accessToken);
    const forBob = await resendWith(key, bob.tokens.accessToken);
    expect([forAlice.status, forBob.status]).toEqual([202, 202]);
    expect(forBob.headers.get('idempotent-replayed')).toBeNull();
    expect(await queued('verify-email', alice.user.id)).toBe(1);
    expect(await queued('verify-email', bob.user.id)).toBe(1);

    const replayed = await resendWith(key, alice.tokens.accessToken);
    expect(replayed.status).toBe(202);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await queued('verify-email', alice.user.id)).toBe(1);
  });

  it('forgets a key after IDEMPOTENCY_KEY_TTL, and takes over one whose request was abandoned', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const key = randomUUID();
    expect((await resendWith(key, tokens.accessToken)).status).toBe(202);
    const row = await keyRow(key);
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(24 * 3600 * 1000);

    await t.db.query(
      `UPDATE idempotent_requests SET expires_at = now() - interval '1 second' WHERE key = $1`,
      [key],
    );
    const afterExpiry = await resendWith(key, tokens.accessToken);
    expect(afterExpiry.headers.get('idempotent-replayed')).toBeNull();
    expect(await queued('verify-email', user.id)).toBe(2);

    // A process that died mid-request left its claim: after a minute the key is free again.
    await t.db.query(
      `UPDATE idempotent_requests SET status = NULL, created_at = now() - interval '61 seconds' WHERE key = $1`,
      [key],
    );
    expect((await resendWith(key, tokens.accessToken)).headers.get('idempotent-replayed')).toBeNull();
    expect(await queued('verify-email', user.id)).toBe(3);
  });

  it('is purged by the retention job once expired', async () => {
    const { tokens } = await aSignedInUser(t.api);
    const [expired, live] = [randomUUID(), randomUUID()];
    await resendWith(expired, tokens.accessToken);
    await resendWith(live, tokens.accessToken);
    await t.db.query(
      `UPDATE idempotent_requests SET expires_at = now() - interval '1 second' WHERE key = $1`,
      [expired],
    );
    const deleted = await t.app.get(Retention).run();
    expect(deleted.idempotent_requests).toBeGreaterThanOrEqual(1);
    expect(await keyRow(expired)).toBeUndefined();
    expect(await keyRow(live)).toBeDefined();
  });

  it.each([
    ['an empty key', ''],
    ['a key over 255 characters', 'k'.repeat(256)],
    ['a key with a space', 'two words'],
    ['a key sent twice', 'one, two'],
  ])('refuses %s with a 400 naming the header, and does nothing', async (_, key) => {
    const body = aUser();
    const response = await signUpWith(key, body);
    expectProblem(response, 400);
    expect(response.body.errors).toEqual([{ parameter: 'Idempotency-Key', detail: expect.any(String) }]);
    expect(await usersWith(body.email)).toBe(0);
  });
});
