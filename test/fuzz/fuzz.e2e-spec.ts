import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import { aUser, login, PASSWORD } from '../support/factories.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { freshRedisDatabase } from '../support/redis.js';
import { aSignedInAdmin, markVerified, startTestApp, type TestApp } from '../support/test-app.js';
import { plans, type Account, type FuzzContext, type Plan } from './plans.js';
import { operations, requestTo, type Caller, type FuzzRequest } from './requests.js';

/**
 * The API against requests built from openapi.json, with an oracle:
 * - any request, valid or hostile (requests.ts), from any caller: never a 5xx, every 4xx is
 *   problem+json, every answer is one the document describes, and a request that cannot be valid
 *   (its `invalid` reason) gets the 400, or the 401/403 of a caller not let in;
 * - the positive case of every operation (plans.ts), from a caller allowed to make it: a success
 *   or the documented business answer, so a server that refuses everything fails;
 * - afterwards, the invariants of the data that no constraint of the schema enforces.
 * Two profiles: rate limits off, and rate limits, Redis and SMTP on. `npm test` runs a fixed seed;
 * `npm run fuzz` a random one, printed, and CI runs it for a bounded time (`--time-limit`). A failure
 * names its seed and path; `npm run fuzz -- --seed S --path P` replays it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const PATH = process.env.FUZZ_PATH || undefined;
const TIME_LIMIT_MS = process.env.FUZZ_TIME_LIMIT_MS ? Number(process.env.FUZZ_TIME_LIMIT_MS) : undefined;

/** Placeholders in generated paths, replaced by the ids of the moment when the request is sent. */
const SELF = '00000000-0000-4000-8000-00000000cafe';
const ADMIN = '00000000-0000-4000-8000-00000000beef';

const validator = OpenApiValidator.fromFile();

interface Profile {
  name: string;
  env: (sink: SmtpSink) => Record<string, string>;
  /** With the limits on, any request may be throttled: a 429 is a right answer too. */
  throttled: boolean;
  /** A share of RUNS for each property. */
  share: number;
}

const PROFILES: Profile[] = [
  { name: 'rate limits off', env: () => ({}), throttled: false, share: 1 },
  {
    name: 'rate limits, Redis and SMTP on',
    env: (sink) => ({
      RATE_LIMIT_ENABLED: 'true',
      // Budgets a fuzz run can live with, so that the cases reach the routes; they are still counted.
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_SIGNUP_PER_HOUR: '1000',
      RATE_LIMIT_EMAIL_PER_HOUR: '1000',
      // A Redis database of its own: other suites share this Redis server.
      REDIS_URL: 'redis://127.0.0.1:6379/7',
      SMTP_URL: sink.url,
    }),
    throttled: true,
    share: 0.4,
  },
];

describe.each(PROFILES)('fuzzing from openapi.json, $name (e2e)', (profile) => {
  let t: TestApp;
  let sink: SmtpSink;
  const ctx = {} as FuzzContext;
  const cases = new Map<string, { any: number; positive: number }>();
  const count = (method: string, url: string, kind: 'any' | 'positive') => {
    const operation = operations.find((o) => o.method === method && pathMatches(o.path, url));
    const key = operation?.id ?? `${method} ${url}`;
    const entry = cases.get(key) ?? { any: 0, positive: 0 };
    entry[kind]++;
    cases.set(key, entry);
  };

  async function newAccount(role: 'user' | 'admin'): Promise<Account> {
    if (role === 'admin') {
      const { user, tokens } = await aSignedInAdmin(t);
      return { id: user.id, email: user.email, password: PASSWORD, ...tokens };
    }
    const body = aUser();
    const { data, response } = await t.api.POST('/api/v1/users', { body });
    if (!data) throw new Error(`a new fuzz user could not sign up: ${response.status}`);
    // A verified address, as a user who adds second factors has (docs/security-model.md, I1).
    await markVerified(t, data.id);
    const tokens = await login(t.api, body.email, body.password);
    return { id: data.id, email: data.email, password: body.password, ...tokens };
  }

  beforeAll(async () => {
    sink = await SmtpSink.start();
    const env = profile.env(sink);
    if (env.REDIS_URL) await freshRedisDatabase(env.REDIS_URL);
    t = await startTestApp(env);
    ctx.admin = await newAccount('admin');
    ctx.user = await newAccount('user');
    // An app, two accounts and their hashes: seconds on a busy host.
  }, 30_000);
  afterAll(async () => {
    await t.close();
    await sink.stop();
    const lines = [...cases].map(([id, n]) => `${id}: ${n.any} any, ${n.positive} positive`).toSorted();
    console.info(`fuzz cases per operation (${profile.name}, seed ${SEED}):\n  ${lines.join('\n  ')}`);
  });

  function tokenOf(caller: Caller | 'anonymous'): string | undefined {
    if (caller === 'user') return ctx.user.accessToken;
    if (caller === 'admin') return ctx.admin.accessToken;
    if (caller === 'garbage') return 'not.a.token';
    return undefined;
  }

  async function send(method: string, url: string, caller: Caller, body?: string) {
    const token = tokenOf(caller);
    const response = await fetch(`${t.http.baseUrl}${url}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    const text = await response.text();
    const where = `${method} ${url} (${caller}) → ${response.status}`;
    if (response.status >= 500) throw new Error(`${where}: a server error\n${text}`);
    const contentType = response.headers.get('content-type');
    if (response.status >= 400 && !(contentType ?? '').startsWith('application/problem+json'))
      throw new Error(`${where}: not problem+json but ${contentType}`);
    // Node's parser answers a request line and headers over its limit before any route sees them
    // (API.md: the one answer outside the document); a 431 for a request within it is a defect.
    if (response.status === 431 && Buffer.byteLength(url) > maxHeaderSize)
      return { status: response.status, text, where, refusedByNode: true };
    const problems = validator.check(method, url, response.status, contentType, text);
    if (problems.length > 0)
      throw new Error(`${where}: not as openapi.json says:\n  ${problems.join('\n  ')}`);
    return { status: response.status, text, where };
  }

  /** The role behind an account's token; undefined once it no longer works (logged out, deleted). */
  async function roleOf(account: Account): Promise<string | undefined> {
    const me = await fetch(`${t.http.baseUrl}/api/v1/users/me`, {
      headers: { authorization: `Bearer ${account.accessToken}` },
    });
    if (me.status === 401) return undefined;
    if (me.status !== 200)
      throw new Error(`GET /users/me to check a caller: ${me.status} ${await me.text()}`);
    return ((await me.json()) as { role: string }).role;
  }

  /** New callers when a request (a logout, a deletion, a change of role) took the old ones away. */
  async function keepCallersAlive() {
    if ((await roleOf(ctx.user)) !== 'user') ctx.user = await newAccount('user');
    if ((await roleOf(ctx.admin)) !== 'admin') ctx.admin = await newAccount('admin');
  }

  /** The statuses a correct server may give a generated request; undefined when only the document decides. */
  function expected(request: FuzzRequest): number[] | undefined {
    const operation = operations.find((o) => o.method === request.method && o.path === request.template)!;
    const throttle = profile.throttled ? [429] : [];
    const refusedBeforeValidation = (status: number) => [
      status,
      ...(request.invalid ? [400] : []),
      ...throttle,
    ];
    if (!operation.isPublic && (request.caller === 'anonymous' || request.caller === 'garbage'))
      return refusedBeforeValidation(401);
    if (operation.roleRestricted && request.caller === 'user') return refusedBeforeValidation(403);
    if (request.invalid) return [400, ...throttle];
    return undefined;
  }

  /**
   * With a time limit, fast-check races the case in flight against the clock and leaves it running
   * when time is up: its request may still end the callers' sessions (a suspension, a deletion)
   * after the next property has checked them. Each property first waits for it and renews the callers.
   */
  let inFlight: Promise<unknown> = Promise.resolve();
  const tracked =
    <T>(predicate: (value: T) => Promise<void>) =>
    (value: T): Promise<void> => {
      const run = predicate(value);
      inFlight = run.catch(() => undefined);
      return run;
    };
  async function settled(): Promise<void> {
    await inFlight;
    await keepCallersAlive();
  }

  const options = (share: number) => ({
    numRuns: Math.max(20, Math.round(RUNS * share)),
    seed: SEED,
    path: PATH,
    endOnFailure: true,
    ...(TIME_LIMIT_MS ? { interruptAfterTimeLimit: TIME_LIMIT_MS / (2 * PROFILES.length) } : {}),
  });

  it('answers any request as the document says, and what cannot be valid with a 400 (or the 401/403 first)', async () => {
    const ids = fc.constantFrom(SELF, ADMIN, randomUUID());
    const anyRequest = fc.oneof(...operations.map((operation) => requestTo(operation, ids)));
    await settled();
    await fc.assert(
      fc.asyncProperty(
        anyRequest,
        tracked(async (request: FuzzRequest) => {
          const url = request.url.replace(SELF, ctx.user.id).replace(ADMIN, ctx.admin.id);
          count(request.method, url, 'any');
          const answer = await send(request.method, url, request.caller, request.body);
          const allowed = expected(request);
          if (allowed && !answer.refusedByNode && !allowed.includes(answer.status))
            throw new Error(
              `${answer.where} (${request.kind}${request.invalid ? `: ${request.invalid}` : ''}): expected ${allowed.join(' or ')}\n${answer.text}`,
            );
          await keepCallersAlive();
        }),
      ),
      options(profile.share),
    );
  }, 600_000);

  it('accepts what a client of each operation sends: a success, or the documented business answer', async () => {
    await settled();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(...plans),
        tracked(async (plan: Plan) => {
          const { url, body } = plan.request(ctx);
          count(plan.operation.method, url, 'positive');
          const answer = await send(
            plan.operation.method,
            url,
            plan.caller,
            body === undefined ? undefined : JSON.stringify(body),
          );
          const accept = [...plan.accept, ...(profile.throttled ? [429] : [])];
          if (!accept.includes(answer.status))
            throw new Error(
              `${answer.where}: a positive case, expected ${accept.join(' or ')}\n${answer.text}`,
            );
          if (answer.status < 300 && plan.after)
            plan.after(ctx, answer.text ? JSON.parse(answer.text) : undefined);
          await keepCallersAlive();
        }),
      ),
      options(profile.share / 2),
    );
  }, 600_000);

  it('keeps the invariants no constraint of the schema enforces', async () => {
    await inFlight;
    const rows = (sql: string) => t.db.query(sql);
    // Stored passwords are argon2id hashes, never anything else.
    expect(await rows(`SELECT id FROM users WHERE password_hash NOT LIKE '$argon2id$%'`)).toEqual([]);
    // Every live session has exactly one unspent refresh token, and it is its newest.
    expect(
      await rows(`SELECT s.id FROM sessions s
                   WHERE (SELECT count(*) FROM refresh_tokens r WHERE r.session_id = s.id AND r.spent_at IS NULL) <> 1`),
    ).toEqual([]);
    expect(
      await rows(`SELECT r.session_id FROM refresh_tokens r
                   WHERE r.spent_at IS NULL AND EXISTS (
                     SELECT 1 FROM refresh_tokens o WHERE o.session_id = r.session_id AND o.created_at > r.created_at)`),
    ).toEqual([]);
    // A suspended account has no session (its suspension ended them; a login cannot start one).
    expect(
      await rows(`SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.status <> 'active'`),
    ).toEqual([]);
    // At least one active admin is left, whatever the admins did to each other.
    expect(await rows(`SELECT 1 FROM users WHERE role = 'admin' AND status = 'active'`)).not.toEqual([]);
    // Times run forwards.
    expect(await rows(`SELECT id FROM users WHERE updated_at < created_at`)).toEqual([]);
    expect(
      await rows(`SELECT id FROM sessions WHERE last_used_at < created_at OR expires_at <= last_used_at`),
    ).toEqual([]);
    expect(
      await rows(`SELECT r.session_id FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
                   WHERE r.created_at < s.created_at OR r.spent_at < r.created_at`),
    ).toEqual([]);
    expect(await rows(`SELECT token_hash FROM account_tokens WHERE expires_at <= created_at`)).toEqual([]);
  });
});

function pathMatches(template: string, url: string): boolean {
  return new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/?]+')}(\\?|$)`).test(url);
}
