import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { freshRedisDatabase, redisIfAny } from '../support/redis.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { brokenInvariants } from './invariants.js';
import { plans, successesOf, type Plan } from './plans.js';
import { races, type Race } from './races.js';
import { operations, requestTo, type Caller, type FuzzRequest } from './requests.js';
import { FuzzWorld, PUBLIC_URL } from './world.js';

/**
 * The API against requests built from openapi.json, with an oracle:
 * - any request, valid or hostile (requests.ts), from any caller: never a 5xx, every 4xx is
 *   problem+json, every answer is one the document describes, and a request that cannot be valid
 *   (its `invalid` reason) gets the 400, or the 401/403 of a caller not let in;
 * - the positive cases of every operation (plans.ts), at least FUZZ_MIN_POSITIVE each, from a
 *   caller allowed to make them: the documented success (or a refusal whose rule the plan names),
 *   and the run fails when an operation ends short of its minimum or never saw its success;
 * - races (races.ts): operations on the same accounts fired together, then the invariants;
 * - afterwards, the invariants of the data that no constraint of the schema enforces.
 * Two profiles: rate limits off, and rate limits and Redis on. `npm test` runs a fixed seed;
 * `npm run fuzz` a random one, printed; CI's npm test a random one for a bounded time (FUZZ_*). A failure
 * names its seed and path; `npm run fuzz -- --seed S --path P` replays it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const PATH = process.env.FUZZ_PATH || undefined;
const TIME_LIMIT_MS = process.env.FUZZ_TIME_LIMIT_MS ? Number(process.env.FUZZ_TIME_LIMIT_MS) : undefined;
const MIN_POSITIVE = Number(process.env.FUZZ_MIN_POSITIVE ?? 3);
const RACES = Number(process.env.FUZZ_RACES ?? 8);

/** Placeholders in generated paths, replaced by the ids of the moment when the request is sent. */
const SELF = '00000000-0000-4000-8000-00000000cafe';
const ADMIN = '00000000-0000-4000-8000-00000000beef';

const validator = OpenApiValidator.fromFile();

interface Profile {
  name: string;
  env: () => Record<string, string>;
  /** With the limits on (in Redis), any request may be throttled: a 429 is a right answer too. */
  throttled: boolean;
  /** A share of RUNS for the property of any request, and of FUZZ_MIN_POSITIVE (never under 3). */
  share: number;
}

const PROFILES: Profile[] = [
  { name: 'rate limits off', env: () => ({}), throttled: false, share: 1 },
  {
    name: 'rate limits and Redis on',
    env: () => ({
      RATE_LIMIT_ENABLED: 'true',
      // Budgets a fuzz run can live with, so that the cases reach the routes; they are still counted.
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_SIGNUP_PER_HOUR: '100000',
      RATE_LIMIT_EMAIL_PER_HOUR: '100000',
    }),
    throttled: true,
    share: 0.4,
  },
].filter((profile) => !profile.throttled || redisIfAny(`the fuzz profile "${profile.name}"`));

describe.each(PROFILES)('fuzzing from openapi.json, $name (e2e)', (profile) => {
  let t: TestApp;
  let sink: SmtpSink;
  let world: FuzzWorld;
  const tally = new Map<string, { any: number; positive: number; succeeded: number }>();
  const countOf = (id: string) => {
    const entry = tally.get(id) ?? { any: 0, positive: 0, succeeded: 0 };
    tally.set(id, entry);
    return entry;
  };

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({
      ...profile.env(),
      ...(profile.throttled ? { REDIS_URL: await freshRedisDatabase(7) } : {}),
      SMTP_URL: sink.url,
      APP_PUBLIC_URL: PUBLIC_URL,
      // The fuzzer's webhooks go to a port of this host (world.ts, FUZZ_WEBHOOK_URL).
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    world = new FuzzWorld(t, sink);
    world.admin = await world.newAdmin();
    world.user = await world.newUser();
    // An app, two accounts and their hashes: seconds on a busy host.
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await sink?.stop();
    const lines = [...tally]
      .map(([id, n]) => `${id}: ${n.any} any, ${n.positive} positive, ${n.succeeded} succeeded`)
      .toSorted();
    console.info(`fuzz cases per operation (${profile.name}, seed ${SEED}):\n  ${lines.join('\n  ')}`);
  });

  async function send(method: string, url: string, token: string | undefined, body?: string) {
    const response = await fetch(`${t.http.baseUrl}${url}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    const text = await response.text();
    const where = `${method} ${url} → ${response.status}`;
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

  function tokenOf(caller: Caller): string | undefined {
    if (caller === 'user') return world.user.accessToken;
    if (caller === 'admin') return world.admin.accessToken;
    if (caller === 'garbage') return 'not.a.token';
    return undefined;
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
    // The guard asks for the membership before any pipe runs, and the fuzzer's callers are members
    // of no organization: the 404 of an organization nobody may learn exists comes first.
    if (operation.organizationScoped) return refusedBeforeValidation(404);
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
    await world.renewCallers();
  }

  it('answers any request as the document says, and what cannot be valid with a 400 (or the 401/403 first)', async () => {
    const ids = fc.constantFrom(SELF, ADMIN, randomUUID());
    const anyRequest = fc.oneof(...operations.map((operation) => requestTo(operation, ids)));
    await settled();
    await fc.assert(
      fc.asyncProperty(
        anyRequest,
        tracked(async (request: FuzzRequest) => {
          const url = request.url.replace(SELF, world.user.id).replace(ADMIN, world.admin.id);
          countOf(operations.find((o) => o.method === request.method && o.path === request.template)!.id)
            .any++;
          const answer = await send(request.method, url, tokenOf(request.caller), request.body);
          const allowed = expected(request);
          if (allowed && !answer.refusedByNode && !allowed.includes(answer.status))
            throw new Error(
              `${answer.where} (${request.caller}, ${request.kind}${request.invalid ? `: ${request.invalid}` : ''}): expected ${allowed.join(' or ')}\n${answer.text}`,
            );
          await world.renewCallers();
        }),
      ),
      {
        numRuns: Math.max(20, Math.round(RUNS * profile.share)),
        seed: SEED,
        path: PATH,
        endOnFailure: true,
        ...(TIME_LIMIT_MS ? { interruptAfterTimeLimit: TIME_LIMIT_MS / PROFILES.length } : {}),
      },
    );
  }, 600_000);

  /** One positive case: its answer must be the success, or a refusal its plan explains. */
  async function runPositive(plan: Plan): Promise<void> {
    const { operation } = plan;
    const refusals = plan.accept.filter((s) => s >= 300);
    if (refusals.length > 0 && !plan.because)
      throw new Error(`${operation.id}: the plan accepts ${refusals.join(', ')} without naming the rule`);
    const request = await plan.request(world);
    const answer = await send(
      operation.method,
      request.url,
      request.token ?? tokenOf(plan.caller),
      request.body === undefined ? undefined : JSON.stringify(request.body),
    );
    const counted = countOf(operation.id);
    counted.positive++;
    const accept = [...plan.accept, ...(profile.throttled ? [429] : [])];
    if (!accept.includes(answer.status))
      throw new Error(
        `${answer.where} (${plan.caller}): a positive case of ${operation.id}, expected ${accept.join(' or ')}` +
          `${plan.because ? ` (${plan.because})` : ''}\n${answer.text}`,
      );
    if (successesOf(operation).includes(answer.status)) {
      counted.succeeded++;
      plan.after?.(world, answer.text ? JSON.parse(answer.text) : undefined);
    }
    await world.renewCallers();
  }

  // The second profile asks what the first did with the limits counted in Redis: a share of the depth.
  const minPositive = Math.max(3, Math.round(MIN_POSITIVE * profile.share));
  it(`reaches every operation's documented success, at least ${minPositive} positive cases each`, async () => {
    await settled();
    // Scheduled per operation, each from a seed of its own: the same seed replays the same cases.
    for (const [index, { operation, cases }] of plans.entries()) {
      await fc.assert(fc.asyncProperty(cases, tracked(runPositive)), {
        numRuns: minPositive,
        seed: SEED + index,
        endOnFailure: true,
      });
      // Every case drawn was a refusal its plan explains: one more, from the successes.
      if (countOf(operation.id).succeeded === 0)
        await runPositive(
          fc.sample(
            cases.filter((p) => !p.because),
            { numRuns: 1, seed: SEED + index },
          )[0],
        );
    }
    const short = plans
      .map(({ operation }) => [operation.id, countOf(operation.id)] as const)
      .filter(([, n]) => n.positive < minPositive || n.succeeded === 0)
      .map(([id, n]) => `${id}: ${n.positive} positive, ${n.succeeded} succeeded`);
    expect(short).toEqual([]);
  }, 600_000);

  it('keeps the invariants when requests on the same accounts meet', async () => {
    await settled();
    await fc.assert(
      fc.asyncProperty(
        races,
        tracked(async (race: Race) => {
          const broken = await race.run(world);
          broken.push(...(await brokenInvariants(t.db)));
          if (broken.length > 0) throw new Error(`${race.name}:\n  ${broken.join('\n  ')}`);
          await world.renewCallers();
        }),
      ),
      { numRuns: RACES, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it('keeps the invariants no constraint of the schema enforces', async () => {
    await inFlight;
    expect(await brokenInvariants(t.db)).toEqual([]);
  });
});
