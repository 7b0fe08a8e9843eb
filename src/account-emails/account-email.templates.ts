import { escapeHtml } from '../common/html.js';
import type { SecurityNotice } from '../security-notices/security-notices.js';

/**
 * The mails an account gets: one per job kind, the notice to an address that has an account, and
 * the security notices (docs/security-model.md, I3). Every word a person reads is in WORDING below,
 * the one place to translate.
 */
export type AccountEmailTemplate =
  | 'welcome'
  | 'verify-email'
  | 'reset-password'
  | 'change-email'
  | 'email-change-notice'
  | 'email-change-taken'
  | SecurityNotice;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface AccountEmailDetails {
  name: string;
  /** The link with its token, or none (a welcome for an address already verified). */
  link?: string;
  /** How long the link works, in words ("24 hours"). */
  validFor?: string;
  /** The address an email change moves the account to. */
  newEmail?: string;
  /** A security notice: when it happened, in words ("2026-12-06 08:53 UTC"). */
  when?: string;
  /** A security notice: who did it, in words ("Firefox on Linux at 203.0.113.7", "an administrator"). */
  by?: string;
  /** A security notice: the factor added or removed. */
  factor?: 'totp' | 'passkey';
  /** A security notice: recovery codes left. */
  remaining?: number;
  /** A security notice: the API key created. */
  apiKey?: { name: string; prefix: string };
}

/** Plain text and simple HTML with the same words. Never a password: the mail cannot know it. */
export function renderAccountEmail(kind: AccountEmailTemplate, details: AccountEmailDetails): RenderedMail {
  const { subject, lines, action } = WORDING[kind](details);
  const text = [`Hello ${details.name},`, '', ...lines(details.link ?? ''), '', '— Gatehouse'].join('\n');
  const paragraphs = lines(details.link ?? '')
    .filter((line) => line !== details.link && line !== '')
    .map((line) => `<p>${escapeHtml(line)}</p>`);
  const button = details.link ? `<p><a href="${escapeHtml(details.link)}">${escapeHtml(action)}</a></p>` : '';
  const html = `<!doctype html><html><body><p>Hello ${escapeHtml(details.name)},</p>${paragraphs.join('')}${button}<p>— Gatehouse</p></body></html>`;
  return { subject, text, html };
}

const WORDING: Record<
  AccountEmailTemplate,
  (d: AccountEmailDetails) => { subject: string; action: string; lines: (link: string) => string[] }
> = {
  welcome: (d) => ({
    subject: 'Welcome to Gatehouse',
    action: 'Verify my email address',
    lines: (link) =>
      link
        ? [
            'Your account is ready. Please confirm that this is your email address:',
            link,
            `The link works once, for ${d.validFor}.`,
          ]
        : ['Your account is ready.'],
  }),
  'verify-email': (d) => ({
    subject: 'Verify your email address',
    action: 'Verify my email address',
    lines: (link) => [
      'Please confirm that this is your email address:',
      link,
      `The link works once, for ${d.validFor}. If you did not ask for it, ignore this mail.`,
    ],
  }),
  'reset-password': (d) => ({
    subject: 'Reset your password',
    action: 'Choose a new password',
    lines: (link) => [
      'Someone (we hope you) asked to reset the password of your account. To choose a new one:',
      link,
      `The link works once, for ${d.validFor}, and signs you out everywhere. If you did not ask for it, ignore this mail: your password stays as it is.`,
    ],
  }),
  'change-email': (d) => ({
    subject: 'Confirm your new email address',
    action: 'Confirm my new email address',
    lines: (link) => [
      'Someone (we hope you) asked to move a Gatehouse account to this email address. To confirm it:',
      link,
      `The link works once, for ${d.validFor}, and signs the account out on every other device. If you did not ask for it, ignore this mail: nothing changes.`,
    ],
  }),
  'email-change-notice': (d) => ({
    subject: 'Your email address is about to change',
    action: '',
    lines: () => [
      `Someone (we hope you) asked to change the email address of your account to ${d.newEmail}.`,
      'Nothing changes until the link we sent to that address is opened.',
      'If it was not you, someone knows your password: sign in, change your password (which cancels the change) and sign out everywhere.',
    ],
  }),
  'password-changed': (d) =>
    notice('Your password was changed', [
      `The password of your account was changed on ${d.when}, by ${d.by}. Every other session was signed out.`,
      IF_NOT_YOU_RESET,
    ]),
  'password-reset': (d) =>
    notice('Your password was reset', [
      `The password of your account was reset on ${d.when}, by ${d.by}, and every session was signed out.`,
      'If this was not you, someone can read your email: secure your mailbox first, then reset your password again.',
    ]),
  'email-changed': (d) =>
    notice('The email address of your account changed', [
      `The email address of your account changed to ${d.newEmail} on ${d.when}, by ${d.by}.`,
      'Mail about your account now goes to that address.',
      IF_NOT_YOU_SUPPORT,
    ]),
  'second-factor-added': (d) =>
    notice(`${FACTORS[d.factor ?? 'totp']} was added to your account`, [
      `${FACTORS[d.factor ?? 'totp']} was added as a way to sign in to your account on ${d.when}, by ${d.by}.`,
      IF_NOT_YOU_RESET,
    ]),
  'second-factor-removed': (d) =>
    notice(`${FACTORS[d.factor ?? 'totp']} was removed from your account`, [
      `${FACTORS[d.factor ?? 'totp']} was removed from your account on ${d.when}, by ${d.by}.`,
      IF_NOT_YOU_RESET,
    ]),
  'recovery-codes-regenerated': (d) =>
    notice('New recovery codes were made', [
      `New recovery codes were made for your account on ${d.when}, by ${d.by}. The earlier ones no longer work.`,
      IF_NOT_YOU_RESET,
    ]),
  'recovery-code-used': (d) =>
    notice('A recovery code was used', [
      `A recovery code of your account was used on ${d.when}, by ${d.by}. ${d.remaining} unused code(s) remain.`,
      IF_NOT_YOU_RESET,
    ]),
  'mfa-reset': (d) =>
    notice('The second factors of your account were removed', [
      `An administrator removed every second factor of your account (authenticator app, recovery codes, passkeys) on ${d.when}, and signed it out everywhere. Your password alone signs in now: add a second factor again.`,
      IF_NOT_YOU_SUPPORT,
    ]),
  'account-suspended': (d) =>
    notice('Your account was suspended', [
      `An administrator suspended your account on ${d.when}: it cannot sign in, and every session was signed out.`,
      'If you think this is a mistake, contact the people who run this service.',
    ]),
  'api-key-created': (d) =>
    notice('An API key was created for your account', [
      `An API key named “${d.apiKey?.name}” (${d.apiKey?.prefix}…) was created for your account on ${d.when}, by ${d.by}. Whoever holds it can call the API as you, within its scopes, until it expires or is revoked.`,
      'If this was not you, revoke it (DELETE /api/v1/auth/api-keys/{id}), change your password and sign out everywhere.',
    ]),
  'email-change-taken': () => ({
    subject: 'You already have an account',
    action: '',
    lines: () => [
      'Someone (we hope you) asked to move a Gatehouse account to this email address, but this address has an account of its own, so nothing changed.',
      'To use that account, sign in with this address (or ask for a password reset if you forgot its password). If you did not ask for anything, ignore this mail.',
    ],
  }),
};

/** A security notice: what happened, when and by whom, and what to do; no link that signs in. */
const notice = (subject: string, lines: string[]) => ({ subject, action: '', lines: () => lines });

const FACTORS = { totp: 'An authenticator app', passkey: 'A passkey' } as const;
const IF_NOT_YOU_RESET =
  'If this was not you, reset your password now ("Forgot password" on the sign-in page), which signs out every session, and review the security page of your account.';
const IF_NOT_YOU_SUPPORT =
  'If this was not you, contact the people who run this service at once, and reset your password.';
