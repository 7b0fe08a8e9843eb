/**
 * The job that sends an account email. It carries no token: the worker makes a fresh one when it
 * sends the mail, so no usable link ever sits in the job table. A reset is asked for by email
 * address, whether or not an account has it: the request does the same work either way, so
 * neither its answer nor its timing tells whether the account exists.
 */
export const ACCOUNT_EMAIL_QUEUE = 'account-email';

export type AccountEmailJob =
  { kind: 'welcome' | 'verify-email'; userId: string } | { kind: 'reset-password'; email: string };

export type AccountEmailKind = AccountEmailJob['kind'];
