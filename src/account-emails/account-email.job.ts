/**
 * The jobs that send account emails. They carry no token: the worker makes a fresh one when it
 * sends the mail, so no usable link ever sits in the job table. A reset is asked for by email
 * address, whether or not an account has it: the request does the same work either way, so
 * neither its answer nor its timing tells whether the account exists. An email change is two jobs:
 * the link to the new address (or, when that has an account already, a notice), for the change the
 * request stored at `requestedAt` (account_tokens holds its new address), and a notice to the
 * address the account had when the change was asked for (`to`).
 */
export const ACCOUNT_EMAIL_QUEUE = 'account-email';

export type AccountEmailJob =
  | { kind: 'welcome' | 'verify-email'; userId: string }
  | { kind: 'reset-password'; email: string }
  | { kind: 'change-email'; userId: string; requestedAt: string }
  | { kind: 'email-change-notice'; userId: string; to: string; newEmail: string };

export type AccountEmailKind = AccountEmailJob['kind'];
