import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { aSignedInUser } from '../support/factories.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { operations, requestTo, type Caller, type FuzzRequest } from './requests.js';

/**
 * Requests built from openapi.json (see requests.ts), valid and hostile, from every kind of caller:
 * none may get a 5xx, every 4xx is problem+json, every answer is one the document describes, and
 * the database keeps its invariants. `npm test` runs a short fixed-seed run; `npm run fuzz -- --runs
 * 20000` a long one (`--seed` and `--path` replay a failure that fast-check reports).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const PATH = process.env.FUZZ_PATH || undefined;

/** Placeholders in generated paths, replaced by the ids of the moment when the request is sent. */
const SELF = '00000000-0000-4000-8000-00000000cafe';
const ADMIN = '00000000-0000-4000-8000-00000000beef';

describe('fuzzing from openapi.json (e2e)', () => {
  let t: TestApp;
  let admin: { id: string; token: string };
  let user: { id: string; token: string };
  const validator = OpenApiValidator.fromFile();

  async function newUser() {
    const { user: u, tokens } = await aSignedInUser(t.api);
    return { id: u.id, token: tokens.accessToken };
  }
  async function newAdmin() {
    const { user: u, tokens } = await aSignedInAdmin(t);
    return { id: u.id, token: tokens.accessToken };
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await newAdmin();
    user = await newUser();
  });
  afterAll(async () => {
    await t.close();
  });

  function tokenOf(caller: Caller): string | undefined {
    if (caller === 'user') return user.token;
    if (caller === 'admin') return admin.token;
    if (caller === 'garbage') return 'not.a.token';
    return undefined;
  }

  async function send(request: FuzzRequest) {
    const url = request.url.replace(SELF, user.id).replace(ADMIN, admin.id);
    const token = tokenOf(request.caller);
    const response = await fetch(`${t.http.baseUrl}${url}`, {
      method: request.method,
      headers: {
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: request.body,
    });
    const text = await response.text();
    return { url, status: response.status, contentType: response.headers.get('content-type'), text };
  }

  /** The role behind a token, or none when it no longer works. */
  async function roleOf(token: string): Promise<string | undefined> {
    const me = await fetch(`${t.http.baseUrl}/api/v1/users/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return me.status === 200 ? ((await me.json()) as { role: string }).role : undefined;
  }

  /** New callers when a request (a logout, a deletion, a demotion) took the old ones away. */
  async function keepCallersAlive() {
    if ((await roleOf(user.token)) !== 'user') user = await newUser();
    if ((await roleOf(admin.token)) !== 'admin') admin = await newAdmin();
  }

  it(
    'never answers 5xx; every 4xx is problem+json; every answer is one the document describes',
    async () => {
      const ids = fc.constantFrom(SELF, ADMIN, randomUUID());
      const anyRequest = fc.oneof(...operations.map((operation) => requestTo(operation, ids)));
      await fc.assert(
        fc.asyncProperty(anyRequest, async (request) => {
          const answer = await send(request);
          const where = `${request.method} ${answer.url} (${request.kind}, ${request.caller}) → ${answer.status}`;
          if (answer.status >= 500) throw new Error(`${where}: a server error\n${answer.text}`);
          if (answer.status >= 400 && !(answer.contentType ?? '').startsWith('application/problem+json'))
            throw new Error(`${where}: not problem+json but ${answer.contentType}`);
          const problems = validator.check(
            request.method,
            answer.url,
            answer.status,
            answer.contentType,
            answer.text,
          );
          if (problems.length > 0)
            throw new Error(`${where}: not as openapi.json says:\n  ${problems.join('\n  ')}`);
          await keepCallersAlive();
        }),
        { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: true },
      );
    },
    Math.max(60_000, RUNS * 200),
  );

  it('leaves the database consistent', async () => {
    const rows = (sql: string) => t.db.query(sql);
    expect(await rows(`SELECT id FROM users WHERE password_hash NOT LIKE '$argon2id$%'`)).toEqual([]);
    expect(await rows(`SELECT lower(email) FROM users GROUP BY lower(email) HAVING count(*) > 1`)).toEqual(
      [],
    );
    expect(
      await rows(`SELECT s.id FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE u.id IS NULL`),
    ).toEqual([]);
    expect(
      await rows(
        `SELECT r.token_hash FROM refresh_tokens r LEFT JOIN sessions s ON s.id = r.session_id WHERE s.id IS NULL`,
      ),
    ).toEqual([]);
    expect(await rows(`SELECT id FROM users WHERE role NOT IN ('user', 'admin')`)).toEqual([]);
  });
});
