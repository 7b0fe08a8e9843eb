import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { operations, resolve, type Operation, type Schema } from './requests.js';

/**
 * Positive cases: for every operation of openapi.json, requests a correct server must accept, from
 * a caller allowed to make them, with what a caller would really send (its own credentials, its
 * refresh token of the moment). The operations that need such context have a plan of their own;
 * any other (a module `nest g feature` made, say) gets a generic plan from its schemas: the right
 * caller, conservative valid values, ids of its own or unknown ones.
 */
export interface Account {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}
export interface FuzzContext {
  user: Account;
  admin: Account;
}
export type PlanCaller = 'anonymous' | 'user' | 'admin';

export interface Plan {
  operation: Operation;
  caller: PlanCaller;
  /** The request, built from the callers of the moment. */
  request(ctx: FuzzContext): { url: string; body?: unknown };
  /** The statuses a correct server may answer: a success, or a documented business answer. */
  accept: number[];
  /**
   * What a success changed that the server will not tell (a spent refresh token, a new password).
   * An ended session or a deleted account is found out afterwards, by asking who each caller is.
   */
  after?(ctx: FuzzContext, answer: any): void;
}

// ------------------------------------------------------------------ conservative valid values
const letters = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: min, maxLength: max });
const uniqueEmail = fc.constant(null).map(() => `fuzz-${randomUUID().slice(0, 12)}@example.com`);
/** Strong whatever fast-check draws ("aaaa…" included): the policy refuses what zxcvbn scores under 3. */
const newPassword = letters(16, 40).map((p) => `${p} ${randomUUID().slice(0, 13)}`);
const accountToken = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const totpCode = fc.stringMatching(/^[0-9]{6}$/);
/** A second factor as a client sends it: a code, or a recovery code, never both. */
const proof = fc.oneof(
  totpCode.map((code) => ({ code })),
  fc.stringMatching(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/).map((recoveryCode) => ({ recoveryCode })),
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
const success = (operation: Operation) => operation.statuses.filter((s) => s >= 200 && s < 300);

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

/** Whose id, and what a correct server answers for it: an id of the caller's own world, or an unknown one. */
const target = fc.constantFrom<'user' | 'unknown'>('user', 'user', 'unknown');

/** Any operation, from the caller its access rule asks for, with conservative values. */
function genericPlan(operation: Operation): fc.Arbitrary<Plan> {
  const caller: PlanCaller = operation.isPublic ? 'anonymous' : operation.roleRestricted ? 'admin' : 'user';
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  return fc
    .record({
      body: operation.body ? conservative(operation.body) : fc.constant(undefined),
      query: fc.record(
        Object.fromEntries(
          queryParams.filter((p) => p.name !== 'cursor').map((p) => [p.name, conservative(p.schema)]),
        ),
        { requiredKeys: [] },
      ),
    })
    .map(({ body, query }) => {
      // Ids of rows this plan did not make are unknown to the server: a documented 404.
      const unknownIds = pathParams.length > 0;
      return {
        operation,
        caller,
        request: () => ({
          url: urlOf(operation, Object.fromEntries(pathParams.map((p) => [p.name, randomUUID()])), query),
          body,
        }),
        accept: unknownIds
          ? [404]
          : [...success(operation), ...(operation.statuses.includes(409) ? [409] : [])],
      };
    });
}

const plan = (operationId: string, build: (operation: Operation) => fc.Arbitrary<Plan>) => {
  const operation = byId(operationId);
  return operation ? build(operation) : undefined;
};

/** The operations that need a caller's context to be used as a client uses them. */
const SPECIFIC = [
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
  plan('users_deleteMe', (operation) =>
    fc.constant({
      operation,
      caller: 'user' as const,
      request: () => ({ url: operation.path }),
      accept: [204],
    }),
  ),
  plan('users_get', (operation) =>
    fc.tuple(fc.constantFrom<PlanCaller>('user', 'admin'), target).map(([caller, whose]) => ({
      operation,
      caller,
      request: (ctx: FuzzContext) => ({
        url: urlOf(operation, { id: whose === 'user' ? ctx.user.id : randomUUID() }),
      }),
      accept: whose === 'user' ? [200] : [404],
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
        request: (ctx: FuzzContext) => ({
          url: urlOf(operation, { id: whose === 'user' ? ctx.user.id : randomUUID() }),
          body,
        }),
        accept: whose === 'user' ? [200] : [404],
      })),
  ),
  // An admin's 204 on the user's id, and a 404 on an id nobody has.
  // An admin's success on the user's id, and a 404 on an id nobody has. Suspending or deleting the
  // user ends its session: the caller is replaced afterwards. The per-address mail limit (5 an hour)
  // is soon spent on the one user, so a reset may be a 429, its documented answer.
  ...(
    [
      ['users_delete', [204]],
      ['auth_unlock', [204]],
      ['auth_endUserSessions', [204]],
      ['auth_unsuspendUser', [200]],
      ['auth_sendPasswordReset', [202, 429]],
      ['auth_suspendUser', [200], letters(1, 40).map((reason) => ({ reason }))],
    ] as const
  ).map(([id, succeeds, body = fc.constant(undefined)]) =>
    plan(id, (operation) =>
      fc.tuple(target, body).map(([whose, sent]) => ({
        operation,
        caller: 'admin' as const,
        request: (ctx: FuzzContext) => ({
          url: urlOf(operation, { id: whose === 'user' ? ctx.user.id : randomUUID() }),
          body: sent,
        }),
        accept: whose === 'user' ? [...succeeds] : [404],
      })),
    ),
  ),
  plan('auth_login', (operation) =>
    fc.constantFrom<'user' | 'admin'>('user', 'admin').map((whose) => ({
      operation,
      caller: 'anonymous',
      request: (ctx: FuzzContext) => ({
        url: operation.path,
        body: { email: ctx[whose].email, password: ctx[whose].password },
      }),
      accept: [200],
    })),
  ),
  plan('auth_refresh', (operation) =>
    fc.constant({
      operation,
      caller: 'anonymous' as const,
      request: (ctx: FuzzContext) => ({ url: operation.path, body: { refreshToken: ctx.user.refreshToken } }),
      accept: [200],
      after: (ctx: FuzzContext, answer: { accessToken: string; refreshToken: string }) => {
        ctx.user = { ...ctx.user, accessToken: answer.accessToken, refreshToken: answer.refreshToken };
      },
    }),
  ),
  ...['auth_logout', 'auth_logoutAll'].map((id) =>
    plan(id, (operation) =>
      fc.constant({
        operation,
        caller: 'user' as const,
        request: () => ({ url: operation.path }),
        accept: [204],
      }),
    ),
  ),
  plan('auth_listSessions', (operation) =>
    fc.constant({
      operation,
      caller: 'user' as const,
      request: () => ({ url: operation.path }),
      accept: [200],
    }),
  ),
  // The caller's own session (a 204 that signs it out), or an id it has no session with (a 404).
  plan('auth_endSession', (operation) =>
    fc.constantFrom<'own' | 'unknown'>('own', 'unknown').map((whose) => ({
      operation,
      caller: 'user',
      request: (ctx: FuzzContext) => ({
        url: urlOf(operation, { id: whose === 'own' ? sessionIdOf(ctx.user.accessToken) : randomUUID() }),
      }),
      accept: whose === 'own' ? [204] : [404],
    })),
  ),
  plan('auth_changePassword', (operation) =>
    newPassword.map((next) => ({
      operation,
      caller: 'user',
      request: (ctx: FuzzContext) => ({
        url: operation.path,
        body: { currentPassword: ctx.user.password, newPassword: next },
      }),
      accept: [204],
      after: (ctx: FuzzContext) => {
        ctx.user = { ...ctx.user, password: next };
      },
    })),
  ),
  // A token of the right form that no mail carried: the documented answer is a 400 on #/token.
  plan('auth_verifyEmail', (operation) =>
    accountToken.map((token) => ({
      operation,
      caller: 'anonymous',
      request: () => ({ url: operation.path, body: { token } }),
      accept: [400],
    })),
  ),
  plan('auth_resetPassword', (operation) =>
    fc.tuple(accountToken, newPassword).map(([token, next]) => ({
      operation,
      caller: 'anonymous',
      request: () => ({ url: operation.path, body: { token, newPassword: next } }),
      accept: [400],
    })),
  ),
  // Asked for with the caller's password; the per-account mail limit (5 an hour) is soon spent on
  // the one user, so a 429 is its documented answer too. Nothing changes until a link is used.
  plan('auth_changeEmail', (operation) =>
    uniqueEmail.map((newEmail) => ({
      operation,
      caller: 'user',
      request: (ctx: FuzzContext) => ({
        url: operation.path,
        body: { newEmail, currentPassword: ctx.user.password },
      }),
      accept: [202, 429],
    })),
  ),
  plan('auth_confirmEmailChange', (operation) =>
    accountToken.map((token) => ({
      operation,
      caller: 'anonymous',
      request: () => ({ url: operation.path, body: { token } }),
      accept: [400],
    })),
  ),
  plan('auth_forgotPassword', (operation) =>
    fc.constantFrom<'user' | 'unknown'>('user', 'unknown').map((whose) => ({
      operation,
      caller: 'anonymous',
      request: (ctx: FuzzContext) => ({
        url: operation.path,
        body: { email: whose === 'user' ? ctx.user.email : `nobody-${randomUUID().slice(0, 8)}@example.com` },
      }),
      accept: [202],
    })),
  ),
  // Second factors. The fuzzed user never confirms an authenticator app (the secret stays with the
  // server), so what needs one is a 409 `totp-not-set-up`, a code a 400, an mfaToken or a passkey
  // no login issued a 401: each the documented answer to what a client may send.
  plan('mfa_setUpTotp', (operation) =>
    fc.constant({
      operation,
      caller: 'user' as const,
      request: (ctx: FuzzContext) => ({ url: operation.path, body: { currentPassword: ctx.user.password } }),
      accept: [200],
    }),
  ),
  // The fuzzed user signs in with its password and has no authenticator app: the password is the
  // proof that succeeds, a code the documented 409.
  plan('auth_reauthenticate', (operation) => {
    const withPassword: Plan = {
      operation,
      caller: 'user',
      request: (ctx: FuzzContext) => ({ url: operation.path, body: { currentPassword: ctx.user.password } }),
      accept: [204],
    };
    const withCode = proof.map((sent): Plan => ({
      operation,
      caller: 'user',
      request: () => ({ url: operation.path, body: sent }),
      accept: [409],
    }));
    return fc.oneof(fc.constant(withPassword), withCode);
  }),
  plan('mfa_confirmTotp', (operation) =>
    totpCode.map((code) => ({
      operation,
      caller: 'user',
      request: () => ({ url: operation.path, body: { code } }),
      accept: [400, 409],
    })),
  ),
  ...['mfa_disableTotp', 'mfa_regenerateRecoveryCodes'].map((id) =>
    plan(id, (operation) =>
      proof.map((sent) => ({
        operation,
        caller: 'user',
        request: (ctx: FuzzContext) => ({
          url: operation.path,
          body: { currentPassword: ctx.user.password, ...sent },
        }),
        accept: [409],
      })),
    ),
  ),
  plan('mfa_login', (operation) =>
    fc.tuple(accountToken, proof).map(([mfaToken, sent]) => ({
      operation,
      caller: 'anonymous',
      request: () => ({ url: operation.path, body: { mfaToken, ...sent } }),
      accept: [401],
    })),
  ),
  plan('mfa_resetUser', (operation) =>
    target.map((whose) => ({
      operation,
      caller: 'admin',
      request: (ctx: FuzzContext) => ({
        url: urlOf(operation, { id: whose === 'user' ? ctx.user.id : randomUUID() }),
      }),
      accept: whose === 'user' ? [204] : [404],
    })),
  ),
  plan('passkeys_registrationOptions', (operation) =>
    fc.constant({
      operation,
      caller: 'user' as const,
      request: (ctx: FuzzContext) => ({ url: operation.path, body: { currentPassword: ctx.user.password } }),
      accept: [200],
    }),
  ),
  // A well-formed response no authenticator signed for a live challenge: refused, as documented.
  plan('passkeys_register', (operation) =>
    conservative(operation.body!).map((body) => ({
      operation,
      caller: 'user',
      request: () => ({ url: operation.path, body }),
      accept: [400],
    })),
  ),
  plan('passkeys_authenticate', (operation) =>
    conservative(operation.body!).map((body) => ({
      operation,
      caller: 'anonymous',
      request: () => ({ url: operation.path, body }),
      accept: [401],
    })),
  ),
].filter((p): p is fc.Arbitrary<Plan> => p !== undefined);

const SPECIFIC_IDS = new Set([
  'auth_reauthenticate',
  'mfa_setUpTotp',
  'mfa_confirmTotp',
  'mfa_disableTotp',
  'mfa_regenerateRecoveryCodes',
  'mfa_login',
  'mfa_resetUser',
  'passkeys_registrationOptions',
  'passkeys_register',
  'passkeys_authenticate',
  'auth_suspendUser',
  'auth_unsuspendUser',
  'auth_sendPasswordReset',
  'auth_listSessions',
  'auth_endSession',
  'auth_endUserSessions',
  'users_create',
  'users_list',
  'users_getMe',
  'users_updateMe',
  'users_deleteMe',
  'users_get',
  'users_update',
  'users_delete',
  'auth_unlock',
  'auth_login',
  'auth_refresh',
  'auth_logout',
  'auth_logoutAll',
  'auth_changePassword',
  'auth_verifyEmail',
  'auth_resetPassword',
  'auth_forgotPassword',
  'auth_changeEmail',
  'auth_confirmEmailChange',
]);

/** One plan per operation of the document: its own, or the generic one. */
export const plans: fc.Arbitrary<Plan>[] = [
  ...SPECIFIC,
  ...operations.filter((o) => !SPECIFIC_IDS.has(o.id)).map(genericPlan),
];
