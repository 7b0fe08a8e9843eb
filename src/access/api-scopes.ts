/**
 * What an API key may be allowed to do: the closed list, in one place. A route opens itself to keys
 * by naming the scope it needs (`@Access({ scope })`); a route that names none refuses every key.
 * A scope never widens a role: a key acts as its owner, with the owner's role of the moment.
 */
export const API_SCOPES = [
  'users:read',
  'users:write',
  'sessions:read',
  'audit:read',
  'organizations:read',
  'organizations:write',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** What each scope opens, for the OpenAPI document and the README. */
export const API_SCOPE_MEANINGS: Record<ApiScope, string> = {
  'users:read': 'read accounts: your own, and any account when the owner is an admin',
  'users:write': "change accounts' profiles and states (an admin's routes), never how one signs in",
  'sessions:read': 'list your sessions',
  'audit:read': 'read the audit log (your security events; all events when the owner is an admin)',
  'organizations:read':
    'read the organizations the owner belongs to: their members, invitations and (for their admins) audit events',
  'organizations:write':
    "change those organizations as the owner's role there allows: invite, change and remove members, rename",
};
