import { aSignedInUser, expectProblem } from '../support/factories.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

/** ETag, If-None-Match and If-Match on users (RFC 9110 §13): no lost updates. */
describe('conditional requests on users (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = (await aSignedInAdmin(t)).tokens.accessToken;
  });
  afterAll(async () => {
    await t.close();
  });

  const nameOf = async (id: string) =>
    (await t.db.query('SELECT name FROM users WHERE id = $1', [id]))[0].name as string;

  it('gives a strong ETag that is the same for the same representation on every route, and changes with it', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const byId = await t.http.get(`/users/${user.id}`, { token: admin });
    const me = await t.http.get('/users/me', { token: tokens.accessToken });
    const etag = byId.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(me.headers.get('etag')).toBe(etag);
    expect(me.body).toEqual(byId.body);

    const renamed = await t.http.patch('/users/me', { token: tokens.accessToken, body: { name: 'Renamed' } });
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).not.toBe(etag);
    expect((await t.http.get(`/users/${user.id}`, { token: admin })).headers.get('etag')).toBe(
      renamed.headers.get('etag'),
    );
  });

  it('answers a GET whose If-None-Match still matches with a 304 and no body, and a 200 once it changed', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const first = await t.http.get(`/users/${user.id}`, { token: admin });
    const etag = first.headers.get('etag')!;

    for (const condition of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await t.http.get(`/users/${user.id}`, {
        token: admin,
        headers: { 'if-none-match': condition },
      });
      expect([condition, again.status, again.text]).toEqual([condition, 304, '']);
      expect(again.headers.get('etag')).toBe(etag);
    }
    const mine = await t.http.get('/users/me', {
      token: tokens.accessToken,
      headers: { 'if-none-match': etag },
    });
    expect(mine.status).toBe(304);

    await t.http.patch(`/users/${user.id}`, { token: admin, body: { name: 'Changed Meanwhile' } });
    const changed = await t.http.get(`/users/${user.id}`, {
      token: admin,
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.name).toBe('Changed Meanwhile');
  });

  it('makes a PATCH with the current ETag in If-Match and refuses a stale one with a 412 that changes nothing', async () => {
    const { user } = await aSignedInUser(t.api, { name: 'Before' });
    const etag = (await t.http.get(`/users/${user.id}`, { token: admin })).headers.get('etag')!;

    const first = await t.http.patch(`/users/${user.id}`, {
      token: admin,
      headers: { 'if-match': etag },
      body: { name: 'First Writer' },
    });
    expect(first.status).toBe(200);

    const stale = await t.http.patch(`/users/${user.id}`, {
      token: admin,
      headers: { 'if-match': etag },
      body: { name: 'Second Writer', role: 'admin' },
    });
    expectProblem(stale, 412);
    expect(stale.body.type).toBe('/problems/precondition-failed');
    const [row] = await t.db.query('SELECT name, role FROM users WHERE id = $1', [user.id]);
    expect(row).toEqual({ name: 'First Writer', role: 'user' });

    const fresh = await t.http.patch(`/users/${user.id}`, {
      token: admin,
      headers: { 'if-match': `"not-it", ${first.headers.get('etag')}` },
      body: { name: 'Second Writer' },
    });
    expect(fresh.status).toBe(200);
    expect(await nameOf(user.id)).toBe('Second Writer');
  });

  it('compares If-Match strongly: a weak tag never matches; * matches any user that exists', async () => {
    const { user, tokens } = await aSignedInUser(t.api);
    const etag = (await t.http.get('/users/me', { token: tokens.accessToken })).headers.get('etag')!;
    const weak = await t.http.patch('/users/me', {
      token: tokens.accessToken,
      headers: { 'if-match': `W/${etag}` },
      body: { name: 'Weak' },
    });
    expectProblem(weak, 412);
    const any = await t.http.patch('/users/me', {
      token: tokens.accessToken,
      headers: { 'if-match': '*' },
      body: { name: 'Any' },
    });
    expect(any.status).toBe(200);
    expect(await nameOf(user.id)).toBe('Any');
  });

  it('still changes the user without If-Match (the last write wins), as before', async () => {
    const { user } = await aSignedInUser(t.api);
    const response = await t.http.patch(`/users/${user.id}`, {
      token: admin,
      body: { name: 'No Condition' },
    });
    expect(response.status).toBe(200);
    expect(await nameOf(user.id)).toBe('No Condition');
  });

  it('lets exactly one of ten PATCHes made from the same read win; the others get a 412', async () => {
    const { user } = await aSignedInUser(t.api);
    const etag = (await t.http.get(`/users/${user.id}`, { token: admin })).headers.get('etag')!;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.http.patch(`/users/${user.id}`, {
          token: admin,
          headers: { 'if-match': etag },
          body: { name: `Writer ${i}` },
        }),
      ),
    );
    const winners = answers.filter((a) => a.status === 200);
    expect(answers.map((a) => a.status).toSorted()).toEqual([200, ...Array(9).fill(412)]);
    expect(await nameOf(user.id)).toBe(winners[0].body.name);
  });
});
