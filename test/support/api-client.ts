import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from '../client/schema.js';
import { validatingFetch } from './http-client.js';

/**
 * The typed client generated from openapi.json (`npm run openapi`): a request or a field the document
 * does not have fails the type check, and every response is checked against the document.
 */
export type ApiClient = Client<paths>;
export type Schemas = components['schemas'];

export function apiClient(baseUrl: string, token?: string): ApiClient {
  return createClient<paths>({
    baseUrl,
    fetch: (request: Request) => validatingFetch(request),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** The bearer header for one call. */
export const bearer = (accessToken: string) => ({ headers: { authorization: `Bearer ${accessToken}` } });

/**
 * A typed call's outcome in the shape the assertions use (`status`, `headers`, `body`), keeping the
 * typed `data`.
 */
export async function send<T extends { response: Response; data?: unknown; error?: unknown }>(
  call: Promise<T>,
) {
  const { response, data, error } = await call;
  const body: any = data ?? error;
  return {
    status: response.status,
    headers: response.headers,
    body,
    text: body === undefined ? '' : JSON.stringify(body),
    data: data as T['data'],
  };
}
