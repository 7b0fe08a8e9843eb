import {
  createGatehouseClient,
  GatehouseProblem,
  isSecondFactorRequired,
  orThrow,
  ReauthenticationRequired,
  type Tokens,
} from '@gatehouse/client';
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../src/common/clock.js';
import { validatingFetch } from '../support/http-client.js';
import { aUser, signUp } from '../support/factories.js';
import { aSignedInAdmin, startTestApp, type TestApp } from '../support/test-app.js';

/** `@gatehouse/client` (from its source) against the started app. */
/** A password sign-in of an account without a second factor: its pair. */
async function signedIn(
  client: ReturnType<typeof createGatehouseClient>,
  { email, password }: { email: string; password: string },
) {
  const answer = await client.signIn({ email, password });
  if (isSecondFactorRequired(answer)) throw new Error('this account has no second factor');
  return answer;
}

describe('@gatehouse/client (e2e)', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await startTestApp();
    baseUrl = await t.app.getUrl();
  });
  afterAll(async () => {
    await t.close();
  });

  /** A client whose calls are counted by path, and whose token changes are recorded. */
  function aClient(tokens?: Tokens) {
    const calls: string[] = [];
    const changes: (Tokens | null)[] = [];
    const client = createGatehouseClient({
      baseUrl,
      tokens,
      onTokens: (next) => changes.push(next),
      fetch: (request) => {
        calls.push(`${request.method} ${new URL(request.url).pathname}`);
        return validatingFetch(request);
      },
    });
    return { client, calls, changes };
  }

  it('signs in, keeps the pair, and sends the access token on every call', async () => {
    const user = await signUp(t.api);
    const { client, changes } = aClient();
    const pair = await signedIn(client, user);
    expect(changes).toEqual([pair]);
    expect(client.tokens).toEqual(pair);
    const me = await orThrow(client.GET('/api/v1/users/me'));
    expect(me.id).toBe(user.id);
  });

  it('refreshes once for ten calls that all got a 401, and repeats each of them', async () => {
    const user = await signUp(t.api);
    const { client: signingIn } = aClient();
    const { refreshToken } = await signedIn(signingIn, user);
    // An access token the server refuses (as an expired one is), and a refresh token that works.
    const { client, calls, changes } = aClient({ accessToken: 'expired.access.token', refreshToken });

    const answers = await Promise.all(Array.from({ length: 10 }, () => client.GET('/api/v1/users/me')));
    expect(answers.map((a) => [a.response.status, a.data?.id])).toEqual(
      Array.from({ length: 10 }, () => [200, user.id]),
    );
    expect(calls.filter((c) => c === 'POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(calls.filter((c) => c === 'GET /api/v1/users/me')).toHaveLength(20);
    expect(changes).toHaveLength(1);
    expect(client.tokens?.refreshToken).not.toBe(refreshToken);

    // The new pair works, and the spent refresh token was not presented twice.
    expect((await client.GET('/api/v1/users/me')).response.status).toBe(200);
    expect(calls.filter((c) => c === 'POST /api/v1/auth/refresh')).toHaveLength(1);
  });

  it('gives up when the session has ended: the 401 comes back and the tokens are forgotten', async () => {
    const user = await signUp(t.api);
    const { client: other } = aClient();
    const pair = await signedIn(other, user);
    await orThrow(other.POST('/api/v1/auth/logout-all'));

    const { client, changes } = aClient({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
    const { response, error } = await client.GET('/api/v1/users/me');
    expect(response.status).toBe(401);
    expect(error?.type).toBe('/problems/unauthenticated');
    expect(changes).toEqual([null]);
    expect(client.tokens).toBeNull();
  });

  it('calls with an API key instead of tokens, and never tries to refresh it', async () => {
    const user = await signUp(t.api);
    const { client: person } = aClient();
    await signedIn(person, user);
    const { key, id } = await orThrow(
      person.POST('/api/v1/auth/api-keys', { body: { name: 'Nightly export', scopes: ['users:read'] } }),
    );
    const calls: string[] = [];
    const script = createGatehouseClient({
      baseUrl,
      apiKey: key,
      fetch: (request) => {
        calls.push(
          `${request.method} ${new URL(request.url).pathname} ${request.headers.get('authorization')}`,
        );
        return validatingFetch(request);
      },
    });
    expect((await orThrow(script.GET('/api/v1/users/me'))).id).toBe(user.id);
    expect(script.tokens).toBeNull();
    await orThrow(person.DELETE('/api/v1/auth/api-keys/{id}', { params: { path: { id } } }));
    expect((await script.GET('/api/v1/users/me')).response.status).toBe(401);
    expect(calls).toEqual([`GET /api/v1/users/me Bearer ${key}`, `GET /api/v1/users/me Bearer ${key}`]);
    expect(() => createGatehouseClient({ baseUrl, apiKey: key, tokens: { accessToken: 'a.b.c' } })).toThrow(
      'not both',
    );
  });

  /** The problem a call threw; a call that succeeded fails the test. */
  const problemOf = (call: Promise<unknown>) =>
    call.then(
      () => {
        throw new Error('the call succeeded');
      },
      (error: unknown) => error as GatehouseProblem,
    );

  it('throws problem details as a GatehouseProblem, typed, with the request id and the invalid inputs', async () => {
    const taken = await signUp(t.api);
    const { client, calls } = aClient();
    const conflict = await problemOf(
      orThrow(client.POST('/api/v1/users', { body: aUser({ email: taken.email }) })),
    );
    expect(conflict).toBeInstanceOf(GatehouseProblem);
    expect(conflict).toMatchObject({
      status: 409,
      type: '/problems/email-taken',
      requestId: expect.any(String),
    });

    const invalid = await problemOf(
      orThrow(client.POST('/api/v1/users', { body: aUser({ email: 'not-an-address' }) })),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.errors).toEqual([{ pointer: '#/email', detail: expect.any(String) }]);

    const wrong = await problemOf(client.signIn({ email: taken.email, password: 'not the password at all' }));
    expect(wrong).toMatchObject({ status: 401, type: '/problems/invalid-credentials' });
    expect(calls).not.toContain('POST /api/v1/auth/refresh');
  });

  it('throws a ReauthenticationRequired for a change past the window, and reauthenticate() opens it again', async () => {
    const user = await signUp(t.api);
    const { client } = aClient();
    await signedIn(client, user);
    // Past AUTH_REAUTHENTICATION_WINDOW (10 minutes), within the access token's 15.
    const clock = jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 660_000));
    try {
      const refused = await problemOf(orThrow(client.DELETE('/api/v1/users/me')));
      expect(refused).toBeInstanceOf(ReauthenticationRequired);
      expect(refused).toMatchObject({ status: 403, type: '/problems/reauthentication-required' });
      await client.reauthenticate({ currentPassword: user.password });
      await orThrow(client.DELETE('/api/v1/users/me'));
    } finally {
      clock.mockRestore();
    }
  });

  it('walks every page of the user list with an async iterator', async () => {
    const tag = `cl${randomUUID().slice(0, 6)}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await signUp(t.api, { email: `${tag}-${i}@example.com` })).id);
    const admin = await aSignedInAdmin(t);
    const { client, calls } = aClient(admin.tokens);

    const seen: string[] = [];
    for await (const user of client.users.list({ search: tag, limit: 2 })) seen.push(user.id);
    expect(seen).toEqual(made.toReversed());
    expect(calls.filter((c) => c === 'GET /api/v1/users')).toHaveLength(3);
  });
});
