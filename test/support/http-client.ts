export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is, with the `content-type` header given. */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
  /** The 5xx this request is meant to get (a 503 while a store is away); any other 5xx fails the test. */
  serverError?: number;
}

import { OpenApiValidator } from './openapi-validator.js';

const validators = new Map<string, Promise<OpenApiValidator>>();

/**
 * The document the app at this origin serves at /docs-json: built from the code under test, so a
 * module just generated is checked too, before `npm run openapi` has refreshed openapi.json (CI
 * checks that the committed file matches the code).
 */
function validatorFor(origin: string): Promise<OpenApiValidator> {
  let validator = validators.get(origin);
  if (!validator) {
    validator = fetch(`${origin}/docs-json`)
      .then((response) => response.json())
      .then((document) => new OpenApiValidator(document));
    validator.catch(() => validators.delete(origin));
    validators.set(origin, validator);
  }
  return validator;
}

/**
 * `fetch`, plus a check of every response against the app's OpenAPI document: a status, a content
 * type or a member the document does not describe fails the test that received it. So does any 5xx
 * but the one the test says it expects: every operation documents a 500, so the document alone
 * would let one pass.
 */
export async function validatingFetch(
  input: Request | string | URL,
  init?: RequestInit,
  expectedServerError?: number,
): Promise<Response> {
  const request = new Request(input, init);
  const response = await fetch(request);
  const text = await response.clone().text();
  if (response.status >= 500 && response.status !== expectedServerError)
    throw new Error(
      `${request.method} ${new URL(request.url).pathname} → ${response.status}, a server error the test did not ask for:\n${text.slice(0, 1000)}`,
    );
  const validator = await validatorFor(new URL(request.url).origin);
  const problems = validator.check(
    request.method,
    request.url,
    response.status,
    response.headers.get('content-type'),
    text,
  );
  if (problems.length > 0)
    throw new Error(`response does not match the OpenAPI document:\n  ${problems.join('\n  ')}`);
  return response;
}

/** Real HTTP to the app under test, the way a REST consumer calls it, for what the typed client cannot send. */
export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let payload: string | undefined = options.raw;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const url = /^\/(api|docs|health|metrics|\.well-known)\b/.test(path) ? path : `/api/v1${path}`;
    const response = await validatingFetch(
      this.baseUrl + url,
      { method, headers, body: payload },
      options.serverError,
    );
    const text = await response.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, text, body };
  }

  get = <T = any>(path: string, options?: RequestOptions) => this.request<T>('GET', path, options);
  post = <T = any>(path: string, options?: RequestOptions) => this.request<T>('POST', path, options);
  patch = <T = any>(path: string, options?: RequestOptions) => this.request<T>('PATCH', path, options);
  delete = <T = any>(path: string, options?: RequestOptions) => this.request<T>('DELETE', path, options);
}
