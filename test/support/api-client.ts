import { createGatehouseClient, type GatehouseClient, type Schemas } from '@gatehouse/client';
import { validatingFetch } from './http-client.js';

/**
 * The project's client package (`@gatehouse/client`, from its source in clients/typescript): a
 * request or a field the document does not have fails the type check, and every response is
 * checked against the document.
 */
export type ApiClient = GatehouseClient;
export type { Schemas };

export function apiClient(baseUrl: string, token?: string): ApiClient {
  return createGatehouseClient({
    baseUrl,
    fetch: (request: Request) => validatingFetch(request),
    tokens: token ? { accessToken: token } : null,
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
