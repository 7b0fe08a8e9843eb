import { randomUUID } from 'node:crypto';
import type { ApiClient, Schemas } from './api-client.js';

export const PASSWORD = 'correct horse battery 42';

export interface SignUpBody {
  email: string;
  password: string;
  name: string;
}

/** A valid sign-up body with a unique email. */
export function aUser(overrides: Partial<SignUpBody> = {}): SignUpBody {
  return {
    email: `user-${randomUUID().slice(0, 8)}@example.com`,
    password: PASSWORD,
    name: 'Ada Lovelace',
    ...overrides,
  };
}

/** Signs up through the API and returns the created user with the password it was given. */
export async function signUp(api: ApiClient, overrides: Partial<SignUpBody> = {}) {
  const body = aUser(overrides);
  const { data, response } = await api.POST('/api/v1/users', { body });
  if (!data) throw new Error(`sign-up failed: ${response.status}`);
  return { ...data, password: body.password };
}

export type UserBody = Schemas['UserResponseDto'];

export const PROBLEM_JSON = /^application\/problem\+json/;

/** Asserts a problem-details response with this status and returns its body. */
export function expectProblem(
  response: { status: number; headers: Headers; body: any; text: string },
  status: number,
) {
  expect({ status: response.status, text: response.text }).toEqual({ status, text: expect.any(String) });
  expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
  expect(response.body).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
    type: expect.any(String),
  });
  expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
  return response.body;
}

export type Tokens = Schemas['TokenPairDto'];

export async function login(api: ApiClient, email: string, password = PASSWORD): Promise<Tokens> {
  const { data, response } = await api.POST('/api/v1/auth/login', { body: { email, password } });
  return tokensOf(data, response);
}

/** A login's pair; throws when it failed, or asked for a second factor. */
export function tokensOf(
  data: Tokens | Schemas['SecondFactorRequiredDto'] | undefined,
  response: Response,
): Tokens {
  if (!data) throw new Error(`login failed: ${response.status}`);
  if ('mfaRequired' in data) throw new Error('login asked for a second factor');
  return data;
}

/** A new user with a live session. */
export async function aSignedInUser(api: ApiClient, overrides: Partial<SignUpBody> = {}) {
  const user = await signUp(api, overrides);
  return { user, tokens: await login(api, user.email, user.password) };
}
