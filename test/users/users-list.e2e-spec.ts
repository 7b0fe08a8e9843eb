import { randomUUID } from 'node:crypto';
import { expectProblem, signUp, type UserBody } from '../support/factories.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

describe('GET /users (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = (await aSignedInAdmin(t)).tokens.accessToken;
  });
  afterAll(async () => {
    await t.close();
  });

  async function allPages(query: string, limit: number, between?: (page: number) => Promise<void>) {
    const seen: UserBody[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await t.http.get(`/users?limit=${limit}&${query}${suffix}`, { token: admin });
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...response.body.items);
      cursor = response.body.nextCursor;
      await between?.(page++);
    } while (cursor);
    return seen;
  }

  it('walks every user exactly once, newest first, while users are inserted between pages', async () => {
    const tag = `pg${randomUUID().slice(0, 6)}`;
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await signUp(t.api, { email: `${tag}-${i}@example.com` })).id);

    const seen = await allPages(`search=${tag}`, 3, async () => {
      // Newer rows land before the cursor and must not disturb the pages still to come.
      await signUp(t.api, { email: `${tag}-late-${randomUUID().slice(0, 4)}@example.com` });
    });

    const original = seen.filter((u) => made.includes(u.id)).map((u) => u.id);
    expect(original).toEqual(made.toReversed());
    expect(new Set(seen.map((u) => u.id)).size).toBe(seen.length);
  });

  it('orders rows with the same created_at by id, so none is skipped or repeated', async () => {
    const tag = `same${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 5; i++) await signUp(t.api, { email: `${tag}-${i}@example.com` });
    await t.db.query(`UPDATE users SET created_at = '2026-01-01T00:00:00.123Z' WHERE email LIKE $1`, [
      `${tag}%`,
    ]);
    const seen = await allPages(`search=${tag}`, 2);
    expect(seen).toHaveLength(5);
    expect(seen.map((u) => u.id)).toEqual(
      seen
        .map((u) => u.id)
        .toSorted()
        .toReversed(),
    );
  });

  it('searches by a case-insensitive prefix of the email or the name, with wildcards taken literally', async () => {
    const tag = `srch${randomUUID().slice(0, 6)}`;
    const byEmail = await signUp(t.api, { email: `${tag}-x@example.com` });
    const byName = await signUp(t.api, { name: `${tag.toUpperCase()} Person` });
    await signUp(t.api, { email: `${tag.slice(0, 4)}zz${tag.slice(4)}@example.com` });

    const ids = (await allPages(`search=${tag.toUpperCase()}`, 10)).map((u) => u.id);
    expect(ids.toSorted()).toEqual([byEmail.id, byName.id].toSorted());
    expect(await allPages(`search=${encodeURIComponent(`${tag.slice(0, 4)}%`)}`, 10)).toEqual([]);
    expect(await allPages(`search=${encodeURIComponent(`${tag.slice(0, 4)}_`)}`, 10)).toEqual([]);
  });

  it('returns a null nextCursor on the last page that has items, and a cursor on every other', async () => {
    const tag = `last${randomUUID().slice(0, 6)}`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await signUp(t.api, { name: `${tag} ${i}` }));
    const page = (cursor?: string) =>
      t.http.get(`/users?limit=2&search=${tag}${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
    const first = await page();
    const second = await page(first.body.nextCursor);
    const third = await page(second.body.nextCursor);
    expect([first, second, third].map((p) => p.body.items.length)).toEqual([2, 2, 1]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.nextCursor).toEqual(expect.any(String));
    expect(third.body.nextCursor).toBeNull();
    const seen = [first, second, third].flatMap((p) => p.body.items.map((u: { id: string }) => u.id));
    expect(seen).toEqual(made.map((u) => u.id).toReversed());
  });

  it('defaults to 20 per page, and answers a search that finds nothing with no items and a null cursor', async () => {
    for (let i = 0; i < 21; i++)
      await t.db.query(
        `INSERT INTO users (email, email_canonical, name, password_hash, created_at, updated_at) VALUES ($1, $2, 'Bulk', 'x', now(), now())`,
        [`bulk-${i}-${randomUUID()}@example.com`].flatMap((email) => [email, email]),
      );
    const first = await t.http.get('/users', { token: admin });
    expect(first.body.items).toHaveLength(20);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const last = await t.http.get(`/users?limit=100&search=zz-no-such-user`, { token: admin });
    expect(last.body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=0x10', 'limit'],
    ['limit=1e1', 'limit'],
    ['limit=0b11', 'limit'],
    ['limit=%2010', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['cursor=%25%25%25garbage', 'cursor'],
    [`cursor=${Buffer.from('2026-01-01T00:00:00.000Z|not-a-uuid').toString('base64url')}`, 'cursor'],
    [`search=${'s'.repeat(255)}`, 'search'],
    ['unknown=1', 'unknown'],
  ])('refuses %s with a 400 naming the parameter', async (query, parameter) => {
    const problem = expectProblem(await t.http.get(`/users?${query}`, { token: admin }), 400);
    expect(problem.errors).toEqual(expect.arrayContaining([{ parameter, detail: expect.any(String) }]));
  });

  it.each(['constructor=1', '__proto__=1', 'prototype=1', 'limit=5&constructor=1'])(
    'refuses %s like any other unknown parameter',
    async (query) => {
      expectProblem(await t.http.get(`/users?${query}`, { token: admin }), 400);
    },
  );

  it('links each page but the last to the next one, from APP_PUBLIC_URL whatever Host the request names', async () => {
    const tag = `ln${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 3; i++) await signUp(t.api, { email: `${tag}-${i}@example.com` });
    const first = await t.http.get(`/users?limit=2&search=${tag}`, {
      token: admin,
      headers: { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' },
    });
    const link = first.headers.get('link');
    expect(link).toBe(
      `<http://localhost:3000/api/v1/users?limit=2&search=${tag}&cursor=${first.body.nextCursor}>; rel="next"`,
    );

    const next = new URL(/^<(.+)>/.exec(link!)![1]);
    const second = await t.http.get(`/users${next.search}`, { token: admin });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect(second.headers.get('link')).toBeNull();
  });
});
