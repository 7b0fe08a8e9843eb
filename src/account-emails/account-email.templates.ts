/** The mails an account gets: one per job kind, and the notice to an address that has an account. */
export type AccountEmailTemplate =
  | 'welcome'
  | 'verify-email'
  | 'reset-password'
  | 'change-email'
  | 'email-change-notice'
  | 'email-change-taken';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Details {
  name: string;
  /** The link with its token, or none (a welcome for an address already verified). */
  link?: string;
  /** How long the link works, in words ("24 hours"). */
  validFor?: string;
  /** The address an email change moves the account to. */
  newEmail?: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Plain text and simple HTML with the same words. Never a password: the mail cannot know it. */
export function renderAccountEmail(kind: AccountEmailTemplate, details: Details): RenderedMail {
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
  (d: Details) => { subject: string; action: string; lines: (link: string) => string[] }
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
  'email-change-taken': () => ({
    subject: 'You already have an account',
    action: '',
    lines: () => [
      'Someone (we hope you) asked to move a Gatehouse account to this email address, but this address has an account of its own, so nothing changed.',
      'To use that account, sign in with this address (or ask for a password reset if you forgot its password). If you did not ask for anything, ignore this mail.',
    ],
  }),
};
