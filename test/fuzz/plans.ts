import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { operations, resolve, type Operation, type Schema } from './requests.js';
import { AuthenticatorApp } from '../support/authenticator-app.js';
import { FUZZ_WEBHOOK_URL, FuzzWorld, type Organization } from './world.js';

/**
 * Positive cases: for every operation of openapi.json, requests a correct server must accept, from
 * a caller allowed to make them, with what a caller would really send: its own credentials, its
 * refresh token of the moment, the link its mailbox received, its authenticator app's code, its
 * passkey's signature. Each must get the operation's documented success; a refusal is a right
 * answer only where the plan names the business rule that causes it (`because`). The operations
 * that need such context have a plan of their own; any other (a module `nest g feature` made, say)
 * gets a generic plan from its schemas: the right caller, conservative valid values, and for an
 * item path the id of an item it created through the collection's POST.
 */
export type PlanCaller = 'anonymous' | 'user' | 'admin';

export interface PlannedRequest {
  url: string;
  body?: unknown;
  /** The access token to send, when it is not the caller's (an account made for this case). */
  token?: string;
}

export interface Plan {
  operation: Operation;
  caller: PlanCaller;
  /** The request, built from the world of the moment (setting up what it needs first). */
  request(world: FuzzWorld): PlannedRequest | Promise<PlannedRequest>;
  /** The statuses a correct server may answer: the success, or a refusal `because` explains. */
  accept: number[];
  /** The business rule behind a refusal in `accept`; required when it holds one. */
  because?: string;
  /** What a success changed that the server will not tell (a spent refresh token, a new password). */
  after?(world: FuzzWorld, answer: any): void;
}

/** The operation's documented successes. */
export const successesOf = (operation: Operation) => operation.statuses.filter((s) => s >= 200 && s < 300);

// ------------------------------------------------------------------ conservative valid values
const letters = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: min, maxLength: max });
const uniqueEmail = fc.constant(null).map(() => `fuzz-${randomUUID().slice(0, 12)}@example.com`);
/** Strong whatever fast-check draws ("aaaa…" included): the policy refuses what zxcvbn scores under 3. */
const newPassword = letters(16, 40).map((p) => `${p} ${randomUUID().slice(0, 13)}`);
const totpCode = fc.stringMatching(/^[0-9]{6}$/);
/** A second factor as a client sends it: a code, or a recovery code, never both. */
const proof = fc.oneof(
  totpCode.map((code) => ({ code })),
  fc.stringMatching(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/).map((recoveryCode) => ({ recoveryCode })),
);
/** What a client asks a key for: a name, some scopes, an expiry within API_KEY_MAX_TTL or none. */
const apiKeyBody = fc.record(
  {
    name: letters(1, 30),
    scopes: fc.subarray(
      [
        'users:read',
        'users:write',
        'sessions:read',
        'audit:read',
        'organizations:read',
        'organizations:write',
      ],
      { minLength: 1 },
    ),
    expiresAt: fc
      .integer({ min: 1, max: 364 * 24 })
      .map((hours) => new Date(Date.now() + hours * 3_600_000).toISOString()),
  },
  { requiredKeys: ['name', 'scopes'] },
);
/** An RFC 3339 time in this century, as `toISOString` writes it. */
const instant = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/**
 * Plain letters where the pattern takes them (free text: no control characters); otherwise what
 * the pattern spells (a token), in range.
 */
function plainString(s: Schema): fc.Arbitrary<string> {
  const [min, max] = [Math.max(s.minLength ?? 1, 1), Math.min(s.maxLength ?? 30, 30)];
  const pattern = s.pattern ? new RegExp(s.pattern) : undefined;
  if (pattern && (min > max || !pattern.test('plain')))
    return fc
      .stringMatching(pattern)
      .filter((v) => v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? 200));
  return letters(min, max).filter((v) => !pattern || pattern.test(v));
}

/** A value any reasonable reading of the schema accepts: plain letters, in range, never hostile. */
function conservative(schema: Schema): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  switch (s.type) {
    case 'string':
      if (s.enum) return fc.constantFrom(...s.enum);
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'email' || s.format === 'idn-email') return uniqueEmail;
      if (s.format === 'password') return newPassword;
      if (s.format === 'date-time') return instant;
      return plainString(s);
    case 'array':
      return fc.uniqueArray(conservative(s.items!), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'integer':
      return fc.integer({ min: s.minimum ?? 0, max: Math.min(s.maximum ?? 100, 100) });
    case 'boolean':
      return fc.boolean();
    case 'object':
      return fc.record(
        Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, conservative(v)])),
        { requiredKeys: s.required ?? [] },
      );
    default:
      return fc.constant(null);
  }
}

const byId = (id: string) => operations.find((o) => o.id === id);
const sessionIdOf = (accessToken: string): string =>
  JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;

/** `/api/v1/users/{id}` with the id given, the query appended. */
function urlOf(operation: Operation, path: Record<string, string> = {}, query: Record<string, unknown> = {}) {
  let url = operation.path;
  for (const [name, value] of Object.entries(path)) url = url.replace(`{${name}}`, encodeURIComponent(value));
  // A repeatable parameter (an array) is sent once per value: `type=a&type=b`.
  const search = new URLSearchParams(
    Object.entries(query).flatMap(([k, v]): [string, string][] =>
      v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((each) => [k, String(each)]),
    ),
  ).toString();
  return search ? `${url}?${search}` : url;
}

/** Whose id: an account of the caller's world, or one nobody has (a documented 404). */
const target = fc.constantFrom<'known' | 'unknown'>('known', 'known', 'unknown');
const NO_SUCH_ID = 'no row has this id: a fresh UUID';

/** The collection POST that makes the items of an item path (`/things/{id}` → `POST /things`). */
const creatorOf = (operation: Operation) =>
  operations.find(
    (o) =>
      o.method === 'POST' &&
      o.path === operation.path.replace(/\/\{[^}]+\}$/, '') &&
      o.statuses.includes(201),
  );

/**
 * Any operation, from the caller its access rule asks for, with conservative values. An item
 * path's id is an item the same caller just made through the collection's POST (or an unknown id,
 * the documented 404); a 409 is documented for a unique value drawn twice.
 */
function genericPlan(operation: Operation): fc.Arbitrary<Plan> {
  const caller: PlanCaller = operation.isPublic ? 'anonymous' : operation.roleRestricted ? 'admin' : 'user';
  // A module of an organization's rows (`nest g feature x --type organization`): its path names the
  // organization, a new one whose owner makes the request.
  const inOrganization = operation.organizationScoped && operation.path.includes('{organizationId}');
  const pathParams = operation.parameters.filter(
    (p) => p.in === 'path' && !(inOrganization && p.name === 'organizationId'),
  );
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const creator = pathParams.length === 1 ? creatorOf(operation) : undefined;
  if (pathParams.length > 0 && !creator)
    throw new Error(`${operation.id}: no generic plan for its path; give it a plan of its own`);
  return fc
    .record({
      body: operation.body ? conservative(operation.body) : fc.constant(undefined),
      created: creator?.body ? conservative(creator.body) : fc.constant(undefined),
      query: fc.record(
        Object.fromEntries(
          queryParams.filter((p) => p.name !== 'cursor').map((p) => [p.name, conservative(p.schema)]),
        ),
        { requiredKeys: [] },
      ),
      whose: creator ? target : fc.constant('known' as const),
    })
    .map(({ body, created, query, whose }): Plan => {
      const unique = operation.statuses.includes(409) ? { because: 'a unique value drawn twice' } : {};
      /** The organization of the request, and the token of its owner (none outside one). */
      const scope = async (world: FuzzWorld): Promise<{ path: Record<string, string>; token?: string }> => {
        if (!inOrganization) return { path: {} };
        const organization = await world.newOrganization();
        return { path: { organizationId: organization.id }, token: organization.owner.accessToken };
      };
      if (whose === 'unknown')
        return {
          operation,
          caller,
          request: async (world) => {
            const { path, token } = await scope(world);
            return {
              url: urlOf(operation, { ...path, [pathParams[0].name]: randomUUID() }, query),
              body,
              token,
            };
          },
          accept: [404],
          because: NO_SUCH_ID,
        };
      return {
        operation,
        caller,
        request: async (world) => {
          const { path, token } = await scope(world);
          if (!creator) return { url: urlOf(operation, path, query), body, token };
          const item = await world.expect(201, 'POST', urlOf(creator, path), {
            token: token ?? world[caller === 'admin' ? 'admin' : 'user'].accessToken,
            body: created,
          });
          return { url: urlOf(operation, { ...path, [pathParams[0].name]: item.id }, query), body, token };
        },
        accept: [...successesOf(operation), ...(unique.because ? [409] : [])],
        ...unique,
      };
    });
}

/** What a rename (`{ name }`) or a removal (no body) of one of the caller's own items sends. */
const BODIES: Record<string, fc.Arbitrary<unknown>> = {
  PATCH: letters(1, 30).map((name) => ({ name })),
  DELETE: fc.constant(undefined),
};

/**
 * Renaming or removing one of the caller's own items (`/…/{id}`): an item of a new account, made
 * by `make`, with that account's token; or an unknown id, the documented 404.
 */
function ownItemPlans(
  ids: string[],
  what: string,
  make: (world: FuzzWorld) => Promise<{ id: string; token: string }>,
) {
  return ids.map((operationId) =>
    plan(operationId, (operation) =>
      fc.tuple(target, BODIES[operation.method]!).map(([whose, sent]): Plan => ({
        operation,
        caller: 'user',
        request: async (world) => {
          if (whose === 'unknown') return { url: urlOf(operation, { id: randomUUID() }), body: sent };
          const { id, token } = await make(world);
          return { url: urlOf(operation, { id }), body: sent, token };
        },
        accept: whose === 'known' ? successesOf(operation) : [404],
        ...(whose === 'unknown' ? { because: `the caller has no ${what} with this id` } : {}),
      })),
    ),
  );
}

const plan = (operationId: string, build: (operation: Operation) => fc.Arbitrary<Plan>) => {
  const operation = byId(operationId);
  return operation ? ([operationId, build(operation)] as const) : undefined;
};
/** One request, always the same but for what the world holds at the moment. */
const always = (p: Plan) => fc.constant(p);

/** The operations that need a caller's context to be used as a client uses them. */
const SPECIFIC = [
  // --------------------------------------------------------------- accounts
  plan('users_create', (operation) =>
    fc.record({ email: uniqueEmail, password: newPassword, name: letters(1, 30) }).map((body) => ({
      operation,
      caller: 'anonymous',
      request: () => ({ url: operation.path, body }),
      accept: [201],
    })),
  ),
  plan('users_list', (operation) =>
    fc
      .record({ limit: fc.integer({ min: 1, max: 100 }), search: letters(1, 10) }, { requiredKeys: [] })
      .map((query) => ({
        operation,
        caller: 'admin',
        request: () => ({ url: urlOf(operation, {}, query) }),
        accept: [200],
      })),
  ),
  plan('users_getMe', (operation) =>
    fc.constantFrom<PlanCaller>('user', 'admin').map((caller) => ({
      operation,
      caller,
      request: () => ({ url: operation.path }),
      accept: [200],
    })),
  ),
  plan('users_updateMe', (operation) =>
    letters(1, 30).map((name) => ({
      operation,
      caller: 'user',
      request: () => ({ url: operation.path, body: { name } }),
      accept: [200],
    })),
  ),
  // An account of its own: deleting it ends the sessions. Signed in a moment ago, so recently enough.
  plan('users_deleteMe', (operation) =>
    always({
      operation,
      caller: 'user',
      request: async (world) => ({ url: operation.path, token: (await world.newUser()).accessToken }),
      accept: [204],
    }),
  ),
  plan('users_get', (operation) =>
    fc.tuple(fc.constantFrom<PlanCaller>('user', 'admin'), target).map(([caller, whose]) => ({
      operation,
      caller,
      request: (world: FuzzWorld) => ({
        url: urlOf(operation, { id: whose === 'known' ? world.user.id : randomUUID() }),
      }),
      accept: whose === 'known' ? [200] : [404],
      ...(whose === 'unknown' ? { because: NO_SUCH_ID } : {}),
    })),
  ),
  plan('users_update', (operation) =>
    fc
      .tuple(
        target,
        fc.record({ name: letters(1, 30), role: fc.constantFrom('user', 'admin') }, { requiredKeys: [] }),
      )
      .map(([whose, body]) => ({
        operation,
        caller: 'admin',
        request: (world: FuzzWorld) => ({
          url: urlOf(operation, { id: whose === 'known' ? world.user.id : randomUUID() }),
          body,
        }),
        accept: whose === 'known' ? [200] : [404],
        ...(whose === 'unknown' ? { because: NO_SUCH_ID } : {}),
      })),
  ),
  // An admin's success on an account made for the case (suspending, deleting or ending its
  // sessions must not take the fuzzer's caller away), and a 404 on an id nobody has.
  ...(
    [
      ['users_delete', [204]],
      ['auth_unlock', [204]],
      ['auth_endUserSessions', [204]],
      ['auth_unsuspendUser', [200]],
      ['auth_sendPasswordReset', [202]],
      ['mfa_resetUser', [204]],
      ['auth_suspendUser', [200], letters(1, 40).map((reason) => ({ reason }))],
    ] as const
  ).map(([id, succeeds, body = fc.constant(undefined)]) =>
    plan(id, (operation) =>
      fc.tuple(target, body).map(([whose, sent]): Plan => ({
        operation,
        caller: 'admin',
        request: async (world) => ({
          url: urlOf(operation, { id: whose === 'known' ? (await world.newUser()).id : randomUUID() }),
          body: sent,
        }),
        accept: whose === 'known' ? [...succeeds] : [404],
        ...(whose === 'unknown' ? { because: NO_SUCH_ID } : {}),
      })),
    ),
  ),
  // --------------------------------------------------------------- signing in, sessions
  plan('auth_login', (operation) =>
    fc.constantFrom<'user' | 'admin'>('user', 'admin').map((whose) => ({
      operation,
      caller: 'anonymous',
      request: (world: FuzzWorld) => ({
        url: operation.path,
        body: { email: world[whose].email, password: world[whose].password },
      }),
      accept: [200],
    })),
  ),
  plan('auth_refresh', (operation) =>
    always({
      operation,
      caller: 'anonymous',
      request: (world) => ({ url: operation.path, body: { refreshToken: world.user.refreshToken } }),
      accept: [200],
      after: (world, answer: { accessToken: string; refreshToken: string }) => {
        world.user = { ...world.user, accessToken: answer.accessToken, refreshToken: answer.refreshToken };
      },
    }),
  ),
  ...['auth_logout', 'auth_logoutAll'].map((id) =>
    plan(id, (operation) =>
      always({
        operation,
        caller: 'user',
        request: async (world) => ({ url: operation.path, token: (await world.newUser()).accessToken }),
        accept: [204],
      }),
    ),
  ),
  plan('auth_listSessions', (operation) =>
    always({ operation, caller: 'user', request: () => ({ url: operation.path }), accept: [200] }),
  ),
  // A session of the caller's own (a 204 that signs it out), or an id it has no session with.
  plan('auth_endSession', (operation) =>
    fc.constantFrom<'own' | 'unknown'>('own', 'unknown').map((whose) => ({
      operation,
      caller: 'user',
      request: async (world: FuzzWorld) => {
        if (whose === 'unknown') return { url: urlOf(operation, { id: randomUUID() }) };
        const account = await world.newUser();
        return {
          url: urlOf(operation, { id: sessionIdOf(account.accessToken) }),
          token: account.accessToken,
        };
      },
      accept: whose === 'own' ? [204] : [404],
      ...(whose === 'unknown' ? { because: 'the caller has no session with this id' } : {}),
    })),
  ),
  plan('auth_changePassword', (operation) =>
    newPassword.map((next) => ({
      operation,
      caller: 'user',
      request: (world: FuzzWorld) => ({
        url: operation.path,
        body: { currentPassword: world.user.password, newPassword: next },
      }),
      accept: [204],
      after: (world: FuzzWorld) => {
        world.user = { ...world.user, password: next };
      },
    })),
  ),
  // The password, or (for an account with an authenticator app) a code or a recovery code; a code
  // from an account without an app is refused.
  plan('auth_reauthenticate', (operation) =>
    fc.constantFrom('password', 'code', 'recoveryCode', 'code without an app').chain((how) =>
      how === 'code without an app'
        ? proof.map((sent): Plan => ({
            operation,
            caller: 'user',
            request: () => ({ url: operation.path, body: sent }),
            accept: [409],
            because: 'the account has no authenticator app (totp-not-set-up)',
          }))
        : always({
            operation,
            caller: 'user',
            request: async (world) => {
              if (how === 'password')
                return { url: operation.path, body: { currentPassword: world.user.password } };
              const account = await world.newTotpUser();
              const body =
                how === 'code' ? { code: account.nextCode() } : { recoveryCode: account.recoveryCodes[0] };
              return { url: operation.path, body, token: account.accessToken };
            },
            accept: [204],
          }),
    ),
  ),
  // --------------------------------------------------------------- links the mailbox receives
  plan('auth_verifyEmail', (operation) =>
    always({
      operation,
      caller: 'anonymous',
      request: async (world) => {
        const body = {
          email: FuzzWorld.unknownEmail(),
          password: 'a passphrase of the new account 1',
          name: 'New',
        };
        const token = await world.linkMailedBy(body.email, 'verify-email', () =>
          world.expect(201, 'POST', '/api/v1/users', { body }),
        );
        return { url: operation.path, body: { token } };
      },
      accept: [204],
    }),
  ),
  // An account whose address is not verified yet asks for the link again; for a verified one the
  // same 202 queues nothing (its 409 is the Idempotency-Key's, which this plan does not send).
  plan('auth_resendVerification', (operation) =>
    fc.boolean().map((verified): Plan => ({
      operation,
      caller: 'user',
      request: async (world) => ({
        url: operation.path,
        token: (await world.newUser({ verified })).accessToken,
      }),
      accept: [202],
    })),
  ),
  plan('auth_forgotPassword', (operation) =>
    fc.constantFrom<'known' | 'unknown'>('known', 'unknown').map((whose) => ({
      operation,
      caller: 'anonymous',
      request: async (world: FuzzWorld) => ({
        url: operation.path,
        body: { email: whose === 'known' ? (await world.newUser()).email : FuzzWorld.unknownEmail() },
      }),
      accept: [202],
    })),
  ),
  plan('auth_resetPassword', (operation) =>
    newPassword.map((next) => ({
      operation,
      caller: 'anonymous',
      request: async (world: FuzzWorld) => {
        const { email } = await world.newUser();
        const token = await world.linkMailedBy(email, 'reset-password', () =>
          world.expect(202, 'POST', '/api/v1/auth/forgot-password', { body: { email } }),
        );
        return { url: operation.path, body: { token, newPassword: next } };
      },
      accept: [204],
    })),
  ),
  plan('auth_changeEmail', (operation) =>
    uniqueEmail.map((newEmail) => ({
      operation,
      caller: 'user',
      request: async (world: FuzzWorld) => {
        const account = await world.newUser();
        return {
          url: operation.path,
          body: { newEmail, currentPassword: account.password },
          token: account.accessToken,
        };
      },
      accept: [202],
    })),
  ),
  plan('auth_confirmEmailChange', (operation) =>
    uniqueEmail.map((newEmail) => ({
      operation,
      caller: 'anonymous',
      request: async (world: FuzzWorld) => {
        const account = await world.newUser();
        const token = await world.linkMailedBy(newEmail, 'confirm-email-change', () =>
          world.expect(202, 'POST', '/api/v1/auth/change-email', {
            token: account.accessToken,
            body: { newEmail, currentPassword: account.password },
          }),
        );
        return { url: operation.path, body: { token } };
      },
      accept: [204],
    })),
  ),
  // --------------------------------------------------------------- second factors
  plan('mfa_setUpTotp', (operation) =>
    always({
      operation,
      caller: 'user',
      request: (world) => ({ url: operation.path, body: { currentPassword: world.user.password } }),
      accept: [200],
    }),
  ),
  // The first code of the app a setup just showed; a code where no setup happened is refused.
  plan('mfa_confirmTotp', (operation) =>
    fc.constantFrom('set up', 'not set up').chain((state) =>
      state === 'not set up'
        ? totpCode.map((code): Plan => ({
            operation,
            caller: 'user',
            request: async (world) => ({
              url: operation.path,
              body: { code },
              token: (await world.newUser()).accessToken,
            }),
            accept: [409],
            because: 'no authenticator app was set up (totp-not-set-up)',
          }))
        : always({
            operation,
            caller: 'user',
            request: async (world) => {
              const account = await world.newUser();
              const { secret } = await world.expect(200, 'POST', '/api/v1/auth/mfa/totp/setup', {
                token: account.accessToken,
                body: { currentPassword: account.password },
              });
              return {
                url: operation.path,
                body: { code: new AuthenticatorApp(secret).code() },
                token: account.accessToken,
              };
            },
            accept: [200],
          }),
    ),
  ),
  // The password and a code or a recovery code, from an account with an app.
  ...['mfa_disableTotp', 'mfa_regenerateRecoveryCodes'].map((id) =>
    plan(id, (operation) =>
      fc.constantFrom('code', 'recoveryCode').map((how): Plan => ({
        operation,
        caller: 'user',
        request: async (world) => {
          const account = await world.newTotpUser();
          const sent =
            how === 'code' ? { code: account.nextCode() } : { recoveryCode: account.recoveryCodes[1] };
          return {
            url: operation.path,
            body: { currentPassword: account.password, ...sent },
            token: account.accessToken,
          };
        },
        accept: successesOf(operation),
      })),
    ),
  ),
  // The second step of a sign-in that asked for one, with a code or a recovery code.
  plan('mfa_login', (operation) =>
    fc.constantFrom('code', 'recoveryCode').map((how): Plan => ({
      operation,
      caller: 'anonymous',
      request: async (world) => {
        const account = await world.newTotpUser();
        const { mfaToken } = await world.expect(200, 'POST', '/api/v1/auth/login', {
          body: { email: account.email, password: account.password },
        });
        const sent =
          how === 'code' ? { code: account.nextCode() } : { recoveryCode: account.recoveryCodes[2] };
        return { url: operation.path, body: { mfaToken, ...sent } };
      },
      accept: [200],
    })),
  ),
  plan('passkeys_registrationOptions', (operation) =>
    always({
      operation,
      caller: 'user',
      request: (world) => ({ url: operation.path, body: { currentPassword: world.user.password } }),
      accept: [200],
    }),
  ),
  plan('passkeys_register', (operation) =>
    fc.option(letters(1, 30), { nil: undefined }).map((name): Plan => ({
      operation,
      caller: 'user',
      request: async (world) => {
        const account = await world.newUser();
        const authenticator = world.passkeyAuthenticator();
        const response = authenticator.register(await world.registrationOptions(account));
        return {
          url: operation.path,
          body: { response, ...(name ? { name } : {}) },
          token: account.accessToken,
        };
      },
      accept: [201],
    })),
  ),
  ...ownItemPlans(['passkeys_rename', 'passkeys_remove'], 'passkey', async (world) => {
    const account = await world.newPasskeyUser();
    return { id: account.passkeyId, token: account.accessToken };
  }),
  // --------------------------------------------------------------- API keys
  // Each case's key belongs to an account of its own: one account would reach MAX_API_KEYS_PER_USER.
  plan('apiKeys_create', (operation) =>
    apiKeyBody.map((body): Plan => ({
      operation,
      caller: 'user',
      request: async (world) => ({ url: operation.path, body, token: (await world.newUser()).accessToken }),
      accept: [201],
    })),
  ),
  ...ownItemPlans(['apiKeys_rename', 'apiKeys_revoke'], 'API key', async (world) => {
    const { accessToken, key } = await world.newApiKey();
    return { id: key.id, token: accessToken };
  }),
  plan('apiKeys_listOfUser', (operation) =>
    target.map((whose): Plan => ({
      operation,
      caller: 'admin',
      request: async (world) => ({
        url: urlOf(operation, { id: whose === 'known' ? (await world.newApiKey()).userId : randomUUID() }),
      }),
      accept: whose === 'known' ? [200] : [404],
      ...(whose === 'unknown' ? { because: NO_SUCH_ID } : {}),
    })),
  ),
  plan('apiKeys_revokeOfUser', (operation) =>
    target.map((whose): Plan => ({
      operation,
      caller: 'admin',
      request: async (world) => {
        const { userId, key } = await world.newApiKey();
        return { url: urlOf(operation, { id: userId, keyId: whose === 'known' ? key.id : randomUUID() }) };
      },
      accept: whose === 'known' ? [204] : [404],
      ...(whose === 'unknown' ? { because: 'the user has no API key with this id' } : {}),
    })),
  ),
  // --------------------------------------------------------------- webhooks
  // Each case's subscription is new; its admin is new too where the operation needs a recent sign-in.
  plan('webhooks_create', (operation) =>
    fc
      .record({
        events: fc.uniqueArray(fc.constantFrom('account.deleted', 'webhook.deleted', 'mfa.reset'), {
          minLength: 1,
        }),
        description: letters(1, 40),
      })
      .map((body): Plan => ({
        operation,
        caller: 'admin',
        request: async (world) => {
          const { admin } = await world.newWebhook();
          return { url: operation.path, body: { url: FUZZ_WEBHOOK_URL, ...body }, token: admin.accessToken };
        },
        accept: [201],
      })),
  ),
  ...webhookPlans(),
  // --------------------------------------------------------------- organizations
  // Each case's organization is new, with an owner and a member of its own.
  plan('organizations_create', (operation) =>
    letters(1, 30).map((name): Plan => ({
      operation,
      caller: 'user',
      request: async (world) => ({
        url: operation.path,
        body: { name, slug: `fuzz-${randomUUID().slice(0, 13)}` },
        token: (await world.newUser()).accessToken,
      }),
      accept: [201],
    })),
  ),
  plan('organizations_list', (operation) =>
    fc.record({ limit: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] }).map((query): Plan => ({
      operation,
      caller: 'user',
      request: async (world) => ({
        url: urlOf(operation, {}, query),
        token: (await world.newOrganization()).member.accessToken,
      }),
      accept: [200],
    })),
  ),
  ...organizationPlans(),
  plan('organizations_acceptInvitation', (operation) =>
    always({
      operation,
      caller: 'user',
      request: async (world) => {
        const { invitee, token } = await world.mailedInvitation(await world.newOrganization());
        return { url: operation.path, body: { token }, token: invitee.accessToken };
      },
      accept: [200],
    }),
  ),
  plan('auth_selectOrganization', (operation) =>
    fc.boolean().map((none): Plan => ({
      operation,
      caller: 'user',
      request: async (world) => {
        const { id, member } = await world.newOrganization();
        return { url: operation.path, body: { organizationId: none ? null : id }, token: member.accessToken };
      },
      accept: [200],
    })),
  ),
  plan('passkeys_authenticate', (operation) =>
    always({
      operation,
      caller: 'anonymous',
      request: async (world) => {
        const account = await world.newPasskeyUser();
        const response = account.authenticator.authenticate(await world.authenticationOptions());
        return { url: operation.path, body: { response } };
      },
      accept: [200],
    }),
  ),
].filter((p) => p !== undefined);

const specific = new Map<string, fc.Arbitrary<Plan>>(SPECIFIC);

/**
 * The operations on one organization (`/organizations/{id}…`): by its owner, or by its member where
 * the operation is the member's own (leaving), on a new organization; or on an unknown one, the
 * documented 404 (a non-member is told the same).
 */
/** The operations on one subscription (`/webhooks/{id}…`): a new one, or an unknown id (404). */
function webhookPlans() {
  type Request = (
    world: FuzzWorld,
    webhook: { id: string; admin: { accessToken: string } },
  ) => Promise<{ body?: unknown; path?: Record<string, string>; token?: string }>;
  const cases: Record<string, fc.Arbitrary<Request>> = {
    webhooks_get: fc.constant(async () => ({})),
    webhooks_delete: fc.constant(async () => ({})),
    webhooks_listDeliveries: fc.constant(async () => ({})),
    webhooks_update: fc
      .record({ description: letters(1, 40), enabled: fc.boolean() }, { requiredKeys: [] })
      .map((body) => async (_, w) => ({ body, token: w.admin.accessToken })),
    webhooks_rotateSecret: fc.constant(async (_, w) => ({ token: w.admin.accessToken })),
    webhooks_retryDelivery: fc.constant(async (world, w) => ({
      path: { deliveryId: await world.failedDelivery(w.id) },
    })),
  };
  return Object.entries(cases).map(([operationId, requests]) =>
    plan(operationId, (operation) =>
      fc.tuple(target, requests).map(([whose, make]): Plan => ({
        operation,
        caller: 'admin',
        request: async (world) => {
          const webhook = await world.newWebhook();
          const { path = {}, ...rest } = await make(world, webhook);
          const id = whose === 'known' ? webhook.id : randomUUID();
          return { url: urlOf(operation, { id, deliveryId: randomUUID(), ...path }), ...rest };
        },
        accept: whose === 'known' ? successesOf(operation) : [404],
        ...(whose === 'unknown' ? { because: NO_SUCH_ID } : {}),
      })),
    ),
  );
}

function organizationPlans() {
  type Request = (
    world: FuzzWorld,
    organization: Organization,
  ) => Promise<
    Omit<PlannedRequest, 'url'> & {
      path?: Record<string, string>;
      query?: Record<string, unknown>;
    }
  >;
  const owner =
    (extra: Awaited<ReturnType<Request>> = {}): Request =>
    async (_, o) => ({
      token: o.owner.accessToken,
      ...extra,
    });
  const cases: Record<string, fc.Arbitrary<Request>> = {
    organizations_get: fc.constant(owner()),
    organizations_update: fc
      .record({ name: letters(1, 30), slug: fc.constant(null) }, { requiredKeys: [] })
      .map((body) => async (_, o) => ({
        token: o.owner.accessToken,
        body: { ...body, ...('slug' in body ? { slug: `fuzz-${randomUUID().slice(0, 13)}` } : {}) },
      })),
    organizations_delete: fc.constant(async (_, o) => ({
      token: o.owner.accessToken,
      query: { confirm: o.slug },
    })),
    organizations_leave: fc.constant(async (_, o) => ({ token: o.member.accessToken })),
    organizations_listAuditEvents: fc
      .record({ limit: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] })
      .map((query) => owner({ query })),
    organizations_listMembers: fc
      .record({ limit: fc.integer({ min: 1, max: 100 }), search: letters(1, 10) }, { requiredKeys: [] })
      .map((query) => owner({ query })),
    organizations_updateMember: fc.constantFrom('owner', 'admin', 'member').map((role) => async (_, o) => ({
      token: o.owner.accessToken,
      path: { userId: o.member.id },
      body: { role },
    })),
    organizations_removeMember: fc.constant(async (_, o) => ({
      token: o.owner.accessToken,
      path: { userId: o.member.id },
    })),
    organizations_invite: fc
      .record({ email: uniqueEmail, role: fc.constantFrom('owner', 'admin', 'member') })
      .map((body) => owner({ body })),
    organizations_listInvitations: fc.constant(owner()),
    organizations_revokeInvitation: fc.constant(async (world, o) => ({
      token: o.owner.accessToken,
      path: { invitationId: (await world.newInvitation(o)).id },
    })),
  };
  return Object.entries(cases).map(([operationId, requests]) =>
    plan(operationId, (operation) =>
      fc.tuple(target, requests).map(([whose, make]): Plan => ({
        operation,
        caller: 'user',
        request: async (world) => {
          const organization = await world.newOrganization();
          const { path = {}, query = {}, ...rest } = await make(world, organization);
          const id = whose === 'known' ? organization.id : randomUUID();
          return { url: urlOf(operation, { id, ...path }, query), ...rest };
        },
        accept: whose === 'known' ? successesOf(operation) : [404],
        ...(whose === 'unknown'
          ? { because: 'no organization has this id (a non-member is told the same)' }
          : {}),
      })),
    ),
  );
}

/** Every operation of the document and its positive cases: a plan of its own, or the generic one. */
export const plans: { operation: Operation; cases: fc.Arbitrary<Plan> }[] = operations.map((operation) => ({
  operation,
  cases: specific.get(operation.id) ?? genericPlan(operation),
}));
