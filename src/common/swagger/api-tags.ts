/**
 * The tags of the OpenAPI document, in the order Swagger UI shows them: one per feature, named in
 * its controller's `@ApiTags`. `nest g feature` adds an entry here.
 */
export const API_TAGS: { name: string; description: string }[] = [
  { name: 'users', description: 'Accounts: sign-up, your own account, and the admin view of every account.' },
  { name: 'auth', description: 'Sessions: sign in, refresh, sign out, change the password.' },
  {
    name: 'mfa',
    description:
      'Second factors: an authenticator app with recovery codes, passkeys, and the second step of a sign-in.',
  },
  {
    name: 'api-keys',
    description:
      'Keys for scripts and services that call the API for you (`gat_…`): created, listed, renamed and revoked by their owner; listed and revoked by admins.',
  },
  {
    name: 'organizations',
    description:
      'Teams of accounts: organizations, their members with a role each (`owner`, `admin`, `member`), invitations by email, and their audit events.',
  },
  {
    name: 'webhooks',
    description:
      'The audit log’s events pushed to the team’s other systems as they happen (admin): subscriptions, their signing secrets (Standard Webhooks), and their deliveries. Each delivery’s body is a `WebhookEvent`.',
  },
  { name: 'audit', description: 'The audit log: security events of every account (admin).' },
  {
    name: 'keys',
    description:
      'The public keys that verify access tokens (JWKS) and the metadata that names them, for other services.',
  },
  { name: 'health', description: 'Liveness and readiness, for orchestrators and load balancers.' },
  { name: 'metrics', description: 'Prometheus metrics.' },
];
