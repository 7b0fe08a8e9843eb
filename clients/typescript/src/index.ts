import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Schemas = components['schemas'];
export type User = Schemas['UserResponseDto'];
export type TokenPair = Schemas['TokenPairDto'];
/** A sign-in's answer for an account with a second factor: finish it with `signInWithSecondFactor`. */
export type SecondFactorRequired = Schemas['SecondFactorRequiredDto'];
export type SecondFactorAnswer = Schemas['MfaLoginDto'];

export const isSecondFactorRequired = (
  answer: TokenPair | SecondFactorRequired,
): answer is SecondFactorRequired => 'mfaRequired' in answer;
export type ProblemDetails = Schemas['ProblemDetailsDto'];

/** The tokens the client sends: an access token alone cannot be refreshed. */
export interface Tokens {
  accessToken: string;
  refreshToken?: string;
}

export interface GatehouseClientOptions {
  /** Where the API is: `https://api.example.com` (the paths start with `/api/v1`). */
  baseUrl: string;
  /** The tokens of a session you already have (from storage, say). */
  tokens?: Tokens | null;
  /**
   * An API key (`gat_…`, from `POST /api/v1/auth/api-keys`), for a script or a service: sent with
   * every call instead of tokens, never refreshed. Not with `tokens`.
   */
  apiKey?: string;
  /** Called whenever the tokens change (sign-in, refresh) and with null when the session ended. */
  onTokens?: (tokens: Tokens | null) => void;
  /** Another `fetch` (a test's, a polyfill). */
  fetch?: (request: Request) => Promise<Response>;
}

/** A problem details answer (RFC 9457), thrown by `orThrow`, `signIn` and the list iterators. */
export class GatehouseProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string;
  readonly errors: NonNullable<ProblemDetails['errors']>;
  /** Seconds to wait before a retry (`Retry-After` of a 429, 503 or 409), when the API said. */
  readonly retryAfter?: number;

  constructor(problem: ProblemDetails, response: Response) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = 'GatehouseProblem';
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.errors = problem.errors ?? [];
    const retryAfter = Number(response.headers.get('retry-after'));
    if (retryAfter > 0) this.retryAfter = retryAfter;
  }
}

/**
 * The 403 of a change that needs a recent sign-in (deleting the account, changing a passkey):
 * call `client.reauthenticate(proof)`, then repeat the call.
 */
export class ReauthenticationRequired extends GatehouseProblem {
  constructor(problem: ProblemDetails, response: Response) {
    super(problem, response);
    this.name = 'ReauthenticationRequired';
  }
}

export const REAUTHENTICATION_REQUIRED = '/problems/reauthentication-required';

/** What `reauthenticate` takes: the password, a code of the authenticator app, or a recovery code. */
export type ReauthenticationProof = Schemas['ReauthenticateDto'];

/**
 * The data of a call, or its problem thrown as a `GatehouseProblem` (a `ReauthenticationRequired`
 * for a change that needs a recent sign-in):
 * `const me = await orThrow(client.GET('/api/v1/users/me'))`.
 */
export async function orThrow<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem = error as ProblemDetails | undefined;
    if (problem && typeof problem === 'object' && 'status' in problem)
      throw problem.type === REAUTHENTICATION_REQUIRED
        ? new ReauthenticationRequired(problem, response)
        : new GatehouseProblem(problem, response);
    throw new Error(`${response.status} ${response.statusText}`);
  }
  return data as T;
}

export type GatehouseClient = Client<paths> & {
  /** The tokens the client holds now. */
  readonly tokens: Tokens | null;
  setTokens(tokens: Tokens | null): void;
  /**
   * Signs in and keeps the token pair; a wrong password throws a `GatehouseProblem` (401). For an
   * account with a second factor the answer is `{ mfaRequired, mfaToken, methods }` and no pair yet.
   */
  signIn(credentials: { email: string; password: string }): Promise<TokenPair | SecondFactorRequired>;
  /** A sign-in's second step: the `mfaToken` and a code (or a recovery code); keeps the pair. */
  signInWithSecondFactor(answer: SecondFactorAnswer): Promise<TokenPair>;
  /** Ends this session on the server and forgets the tokens. */
  signOut(): Promise<void>;
  /**
   * Proves again who holds this session (`POST /auth/reauthenticate`), so that for
   * AUTH_REAUTHENTICATION_WINDOW it may weaken the account; a wrong proof throws a `GatehouseProblem` (400).
   */
  reauthenticate(proof: ReauthenticationProof): Promise<void>;
  users: {
    /** Every user (admins only), a page at a time: `for await (const user of client.users.list())`. */
    list(query?: { search?: string; limit?: number }): AsyncGenerator<User, void, undefined>;
  };
};

const REFRESH = '/api/v1/auth/refresh';
/** The calls whose 401 means a wrong credential, not an expired access token. */
const NO_REFRESH = new Set(['/api/v1/auth/login', REFRESH]);

/**
 * A typed client for the Gatehouse API over `openapi-fetch`: every operation of the OpenAPI
 * document as `client.GET(path, …)`, `client.POST(…)`, typed end to end. It sends the access token,
 * and on a 401 refreshes the pair once and repeats the call; calls that fail together wait for the
 * same refresh (a refresh token works once, so two refreshes would end the session).
 */
export function createGatehouseClient(options: GatehouseClientOptions): GatehouseClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  let tokens: Tokens | null = options.tokens ?? null;
  let refreshing: Promise<boolean> | undefined;
  /** Each call as it was before it was sent (a body can be read once), and the token it carried. */
  const sent = new Map<string, { copy: Request; accessToken?: string }>();

  const setTokens = (next: Tokens | null) => {
    tokens = next;
    options.onTokens?.(next);
  };

  /** One refresh for every call that failed with the same access token. */
  const refresh = (failedWith: string): Promise<boolean> => {
    if (tokens && tokens.accessToken !== failedWith) return Promise.resolve(true);
    refreshing ??= (async () => {
      const refreshToken = tokens?.refreshToken;
      if (!refreshToken) return false;
      const response = await send(
        new Request(baseUrl + REFRESH, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken }),
        }),
      );
      if (!response.ok) {
        setTokens(null);
        return false;
      }
      setTokens((await response.json()) as TokenPair);
      return true;
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const bearer: Middleware = {
    onRequest({ request, id }) {
      const accessToken = request.headers.has('authorization') ? undefined : tokens?.accessToken;
      if (accessToken) request.headers.set('authorization', `Bearer ${accessToken}`);
      sent.set(id, { copy: request.clone(), accessToken });
      return request;
    },
    async onResponse({ response, id, schemaPath }) {
      const call = sent.get(id);
      sent.delete(id);
      if (response.status !== 401 || !call?.accessToken || NO_REFRESH.has(schemaPath)) return response;
      if (!(await refresh(call.accessToken)) || !tokens) return response;
      call.copy.headers.set('authorization', `Bearer ${tokens.accessToken}`);
      return send(call.copy);
    },
    onError({ id }) {
      sent.delete(id);
    },
  };

  if (options.apiKey !== undefined && options.tokens)
    throw new Error('createGatehouseClient: an apiKey or tokens, not both');
  const apiKey = options.apiKey;
  // A key is the whole credential: no session to refresh, so a 401 is the answer.
  const keyBearer: Middleware = {
    onRequest({ request }) {
      if (!request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${apiKey}`);
      return request;
    },
  };

  const client = createClient<paths>({ baseUrl, fetch: send });
  client.use(apiKey !== undefined ? keyBearer : bearer);

  Object.defineProperty(client, 'tokens', { get: () => tokens, enumerable: true });
  return Object.assign(client as Client<paths> & { readonly tokens: Tokens | null }, {
    setTokens,
    async signIn(credentials: {
      email: string;
      password: string;
    }): Promise<TokenPair | SecondFactorRequired> {
      const answer = await orThrow(client.POST('/api/v1/auth/login', { body: credentials }));
      if (!isSecondFactorRequired(answer)) setTokens(answer);
      return answer;
    },
    async signInWithSecondFactor(answer: SecondFactorAnswer): Promise<TokenPair> {
      const pair = await orThrow(client.POST('/api/v1/auth/login/mfa', { body: answer }));
      setTokens(pair);
      return pair;
    },
    async signOut() {
      if (tokens) await orThrow(client.POST('/api/v1/auth/logout'));
      setTokens(null);
    },
    async reauthenticate(proof: ReauthenticationProof): Promise<void> {
      await orThrow(client.POST('/api/v1/auth/reauthenticate', { body: proof }));
    },
    users: {
      async *list(query: { search?: string; limit?: number } = {}) {
        let cursor: string | undefined;
        do {
          const page = await orThrow(
            client.GET('/api/v1/users', { params: { query: { ...query, cursor } } }),
          );
          yield* page.items;
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      },
    },
  });
}
