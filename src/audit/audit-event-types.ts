/**
 * What the audit log records: the security events of an account's life. Each type is written in the
 * transaction of the change it records (audit-log.ts); the check constraints on `audit_events.type`
 * and on `webhook_subscriptions.events` repeat this list (a new type ships with a migration that
 * widens both, by hand: TypeORM's generator does not see a changed CHECK).
 */
export const AUDIT_EVENT_TYPES = [
  'account.signed-up',
  'account.role-changed',
  'account.suspended',
  'account.unsuspended',
  'account.deleted',
  'login.succeeded',
  'login.failed',
  'login.locked',
  'login.unlocked',
  'proof.failed',
  'access.denied',
  'session.logout',
  'session.logout-all',
  'session.revoked',
  'session.revoked-all',
  'session.refresh-token-reused',
  'session.refresh-token-repeated',
  'session.reauthenticated',
  'password.changed',
  'password.reset-requested',
  'password.reset-completed',
  'email.verified',
  'email.change-requested',
  'email.change-confirmed',
  'mfa.totp-enabled',
  'mfa.totp-disabled',
  'mfa.recovery-codes-regenerated',
  'mfa.recovery-code-used',
  'mfa.passkey-added',
  'mfa.passkey-renamed',
  'mfa.passkey-removed',
  'mfa.reset',
  'signing-key.created',
  'signing-key.rotated',
  'signing-key.retired',
  'api-key.created',
  'api-key.used-from-new-address',
  'api-key.revoked',
  'organization.created',
  'organization.updated',
  'organization.deleted',
  'organization.member-added',
  'organization.member-role-changed',
  'organization.member-removed',
  'organization.member-left',
  'organization.invitation-sent',
  'organization.invitation-revoked',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret-rotated',
  'webhook.disabled',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * What an event may say beyond its columns: short facts (a role, a reason class, an address), never
 * a password, token, code, hash or secret. Flat, so a SIEM reads it without a schema.
 */
export type AuditDetails = Record<string, string | number | boolean | null>;
