/** Where the versioned resources live (API.md); health and metrics stay unversioned. */
export const API_PREFIX = 'api/v1';
export const UNVERSIONED_ROUTES = [
  'health/live',
  'health/ready',
  'metrics',
  // Where verifiers look for them (RFC 8414 §3, and the `jwks_uri` it names).
  '.well-known/jwks.json',
  '.well-known/oauth-authorization-server',
];

/** The path of a versioned resource, as a `Location` header gives it: `apiPath('users', id)`. */
export const apiPath = (...segments: string[]) => `/${API_PREFIX}/${segments.join('/')}`;
