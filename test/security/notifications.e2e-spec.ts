import { bearer, send } from '../support/api-client.js';
import { enableTotp } from '../support/authenticator-app.js';
import { login, PASSWORD } from '../support/factories.js';
import { SmtpSink, tokenIn, type ReceivedMail } from '../support/smtp-sink.js';
import { aSignedInAdmin, aVerifiedUser, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'https://accounts.example.test';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) the owner browser';

// Mail goes through the job queue and a real SMTP server: seconds, not milliseconds.
import.meta.jest.setTimeout(30_000);

/**
 * docs/security-model.md, I3: every change to how one signs in is announced to the account's
 * address: what happened, when, from which client (never an administrator's), what to do if it
 * was not the owner, and no link that signs in.
 */
describe('security notifications (e2e)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({ SMTP_URL: sink.url, APP_PUBLIC_URL: PUBLIC_URL, JOBS_RETRY_DELAY_SECONDS: '1' });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  const withSubject = (subject: string) => (mail: ReceivedMail) => mail.subject === subject;
  /** The notice, checked for what every notice must and must not hold. */
  async function noticeTo(address: string, subject: string): Promise<ReceivedMail> {
    const mail = await sink.waitForMail(address, withSubject(subject));
    expect(mail.text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(mail.text).toContain('If this was not you');
    expect(mail.text).not.toMatch(/token=|https?:\/\//);
    expect(mail.html).toContain(subject.split(' ')[1]!);
    return mail;
  }

  it('I3: a password change names the client that made it', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    const changed = await t.http.post('/auth/change-password', {
      token: tokens.accessToken,
      body: { currentPassword: PASSWORD, newPassword: 'another passphrase 2026' },
      headers: { 'user-agent': BROWSER },
    });
    expect(changed.status).toBe(204);
    const mail = await noticeTo(user.email, 'Your password was changed');
    expect(mail.text).toContain(BROWSER);
    expect(mail.text).toContain('127.0.0.1');
  });

  it('I3: an authenticator app added, a recovery code used, new codes made and the app removed are each announced', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    const { app, recoveryCodes } = await enableTotp(t.api, tokens.accessToken);
    await noticeTo(user.email, 'An authenticator app was added to your account');
    const started = await send(
      t.api.POST('/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } }),
    );
    const finished = await send(
      t.api.POST('/api/v1/auth/login/mfa', {
        body: { mfaToken: started.body.mfaToken, recoveryCode: recoveryCodes[0]! },
      }),
    );
    expect(finished.status).toBe(200);
    const used = await noticeTo(user.email, 'A recovery code was used');
    expect(used.text).toContain('9 unused code(s) remain');
    const regenerated = await send(
      t.api.POST('/api/v1/auth/mfa/recovery-codes', {
        ...bearer(tokens.accessToken),
        body: { currentPassword: PASSWORD, code: app.code(1) },
      }),
    );
    expect(regenerated.status).toBe(200);
    await noticeTo(user.email, 'New recovery codes were made');
    const disabled = await send(
      t.api.DELETE('/api/v1/auth/mfa/totp', {
        ...bearer(tokens.accessToken),
        body: { currentPassword: PASSWORD, recoveryCode: regenerated.body.recoveryCodes[0] },
      }),
    );
    expect(disabled.status).toBe(204);
    await noticeTo(user.email, 'An authenticator app was removed from your account');
  });

  it('I3, I7: an admin’s MFA reset and suspension are announced as an administrator’s, without their client', async () => {
    const admin = await aSignedInAdmin(t);
    const { user, tokens } = await aVerifiedUser(t);
    await enableTotp(t.api, tokens.accessToken);
    const asAdmin = { token: admin.tokens.accessToken, headers: { 'user-agent': 'the admin own browser' } };
    expect((await t.http.delete(`/users/${user.id}/mfa`, asAdmin)).status).toBe(204);
    const reset = await noticeTo(user.email, 'The second factors of your account were removed');
    expect(reset.text).toContain('An administrator');
    expect(reset.text).not.toContain('the admin own browser');
    const suspended = await t.http.post(`/users/${user.id}/suspend`, {
      ...asAdmin,
      body: { reason: 'a test' },
    });
    expect(suspended.status).toBe(200);
    const notice = await sink.waitForMail(user.email, withSubject('Your account was suspended'));
    expect(notice.text).toContain('An administrator suspended your account');
    expect(notice.text).not.toContain('a test');
  });

  it('I3: an email change is announced to both addresses', async () => {
    const { user, tokens } = await aVerifiedUser(t);
    const newEmail = `moved-${user.id.slice(0, 8)}@example.com`;
    const asked = await send(
      t.api.POST('/api/v1/auth/change-email', {
        ...bearer(tokens.accessToken),
        body: { newEmail, currentPassword: PASSWORD },
      }),
    );
    expect(asked.status).toBe(202);
    const link = await sink.waitForMail(newEmail, withSubject('Confirm your new email address'));
    const token = tokenIn(link, 'confirm-email-change', PUBLIC_URL);
    expect((await send(t.api.POST('/api/v1/auth/confirm-email-change', { body: { token } }))).status).toBe(
      204,
    );
    for (const address of [user.email, newEmail]) {
      const mail = await sink.waitForMail(address, withSubject('The email address of your account changed'));
      expect(mail.text).toContain(`changed to ${newEmail}`);
      expect(mail.text).not.toMatch(/token=/);
    }
    await login(t.api, newEmail);
  });
});
