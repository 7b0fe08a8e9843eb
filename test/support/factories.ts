import { randomUUID } from 'node:crypto';
import type { HttpClient } from './http-client.js';

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
export async function signUp(http: HttpClient, overrides: Partial<SignUpBody> = {}) {
  const body = aUser(overrides);
  const response = await http.post('/users', { body });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${response.text}`);
  return { ...response.body, password: body.password } as UserBody & { password: string };
}

export interface UserBody {
  id: string;
  email: string;
  name: string;
  role: 'user' | 'admin';
  emailVerified: boolean;
  createdAt: string;
  updatedAt: string;
}

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

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export async function login(http: HttpClient, email: string, password = PASSWORD): Promise<Tokens> {
  const response = await http.post('/auth/login', { body: { email, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  return response.body;
}

/** A new user with a live session. */
export async function aSignedInUser(http: HttpClient, overrides: Partial<SignUpBody> = {}) {
  const user = await signUp(http, overrides);
  return { user, tokens: await login(http, user.email, user.password) };
}
