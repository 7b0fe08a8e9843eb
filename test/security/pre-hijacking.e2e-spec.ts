import { bearer, send } from '../support/api-client.js';
import { enableTotp } from '../support/authenticator-app.js';
import { eventually } from '../support/eventually.js';
import { expectProblem, login, PASSWORD, signUp } from '../support/factories.js';
import { SmtpSink, tokenIn, type ReceivedMail } from '../support/smtp-sink.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { markVerified, startTestApp, type TestApp } from '../support/test-app.js';

/** WebAuthn refuses an IP address as the relying party's id, so the public URL names localhost. */
const PUBLIC_URL = 'http://localhost:3998';
const isReset = (m: ReceivedMail) => m.subject === 'Reset your password';

// Mail goes through the job queue and a real SMTP server: seconds, not milliseconds.
import.meta.jest.setTimeout(30_000);

/**
 * Account pre-hijacking (docs/security-model.md, I1 and I5): someone signs up with another person's
 * address, which they cannot read, and prepares the account before its owner arrives. Whatever they
 * set up must not survive the owner's proof of the mailbox.
 */
describe('account pre-hijacking (e2e)', () => {
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

  const me = (accessToken: string) => send(t.api.GET('/api/v1/users/me', bearer(accessToken)));
  const passwordLogin = (email: string, password: string) =>
    send(t.api.POST('/api/v1/auth/login', { body: { email, password } }));

  /** What the mailbox's owner does when sign-up says the address is taken: forgot-password, then the link. */
  async function resetFromTheMailbox(email: string, newPassword: string): Promise<void> {
    const before = sink.mailsTo(email).filter(isReset).length;
    expect((await send(t.api.POST('/api/v1/auth/forgot-password', { body: { email } }))).status).toBe(202);
    const mail = await eventually(async () => sink.mailsTo(email).filter(isReset)[before]);
    const token = tokenIn(mail, 'reset-password', PUBLIC_URL);
    const reset = await send(t.api.POST('/api/v1/auth/reset-password', { body: { token, newPassword } }));
    expect(reset.status).toBe(204);
  }

  async function addPasskey(accessToken: string): Promise<SoftwareAuthenticator> {
    const authenticator = new SoftwareAuthenticator(PUBLIC_URL);
    const options = await send(
      t.api.POST('/api/v1/auth/passkeys/registration/options', {
        ...bearer(accessToken),
        body: { currentPassword: PASSWORD },
      }),
    );
    expect(options.status).toBe(200);
    const registered = await send(
      t.api.POST('/api/v1/auth/passkeys/registration', {
        ...bearer(accessToken),
        body: { response: authenticator.register(options.body) } as never,
      }),
    );
    expect(registered.status).toBe(201);
    return authenticator;
  }

  async function signInWithPasskey(authenticator: SoftwareAuthenticator) {
    const options = await send(t.api.POST('/api/v1/auth/passkeys/authentication/options'));
    return send(
      t.api.POST('/api/v1/auth/passkeys/authentication', {
        body: { response: authenticator.authenticate(options.body) } as never,
      }),
    );
  }

  it('I1: an address nobody has proved takes no second factor (403 email-not-verified), and nothing is stored', async () => {
    const squatter = await signUp(t.api);
    const tokens = await login(t.api, squatter.email);
    const totp = await send(
      t.api.POST('/api/v1/auth/mfa/totp/setup', {
        ...bearer(tokens.accessToken),
        body: { currentPassword: PASSWORD },
      }),
    );
    expect(expectProblem(totp, 403).type).toBe('/problems/email-not-verified');
    const passkey = await send(
      t.api.POST('/api/v1/auth/passkeys/registration/options', {
        ...bearer(tokens.accessToken),
        body: { currentPassword: PASSWORD },
      }),
    );
    expect(expectProblem(passkey, 403).type).toBe('/problems/email-not-verified');
    const [stored] = await t.db.query(
      `SELECT (SELECT count(*) FROM totp_factors WHERE user_id = $1)::int AS totp,
              (SELECT count(*) FROM mfa_challenges WHERE user_id = $1)::int AS challenges`,
      [squatter.id],
    );
    expect(stored).toEqual({ totp: 0, challenges: 0 });
  });

  it('I1: the owner who resets a never-verified account signs in with the new password alone; the squatter’s factors, sessions, pending sign-in and email change are gone', async () => {
    const squatter = await signUp(t.api);
    const squatterTokens = await login(t.api, squatter.email);
    // The state a squatter reached before second factors needed a verified address: factors on an
    // unproved address (set up while marked verified, then unmarked, as such an account looks).
    await markVerified(t, squatter.id);
    await enableTotp(t.api, squatterTokens.accessToken);
    const passkey = await addPasskey(squatterTokens.accessToken);
    await t.db.query('UPDATE users SET email_verified = false WHERE id = $1', [squatter.id]);
    const pendingSignIn = (await passwordLogin(squatter.email, PASSWORD)).body.mfaToken as string;
    expect(pendingSignIn).toEqual(expect.any(String));
    const session = (await signInWithPasskey(passkey)).body.accessToken as string;
    const change = await send(
      t.api.POST('/api/v1/auth/change-email', {
        ...bearer(session),
        body: { newEmail: `squatter-${squatter.id.slice(0, 8)}@example.com`, currentPassword: PASSWORD },
      }),
    );
    expect(change.status).toBe(202);

    await resetFromTheMailbox(squatter.email, 'the real owner’s passphrase');

    const owner = await passwordLogin(squatter.email, 'the real owner’s passphrase');
    expect(owner.status).toBe(200);
    expect(owner.body).toMatchObject({ accessToken: expect.any(String) });
    expect((await me(owner.body.accessToken)).body).toMatchObject({ emailVerified: true });
    expect((await me(squatterTokens.accessToken)).status).toBe(401);
    expect((await me(session)).status).toBe(401);
    expect(expectProblem(await signInWithPasskey(passkey), 401).type).toBe('/problems/invalid-passkey');
    const finish = await send(
      t.api.POST('/api/v1/auth/login/mfa', { body: { mfaToken: pendingSignIn, code: '000000' } }),
    );
    expect(expectProblem(finish, 401).type).toBe('/problems/invalid-mfa-token');
    const [left] = await t.db.query(
      `SELECT (SELECT count(*) FROM totp_factors WHERE user_id = $1)::int AS totp,
              (SELECT count(*) FROM recovery_codes WHERE user_id = $1)::int AS codes,
              (SELECT count(*) FROM passkeys WHERE user_id = $1)::int AS passkeys,
              (SELECT count(*) FROM account_tokens WHERE user_id = $1)::int AS links,
              (SELECT count(*) FROM mfa_challenges WHERE user_id = $1)::int AS challenges`,
      [squatter.id],
    );
    expect(left).toEqual({ totp: 0, codes: 0, passkeys: 0, links: 0, challenges: 0 });
    const [event] = await t.db.query(
      `SELECT details FROM audit_events WHERE subject_user_id = $1 AND type = 'password.reset-completed'`,
      [squatter.id],
    );
    expect(event.details).toEqual({ reclaimed: true });
  });

  it('I5: a reset of a verified account keeps its factors but ends its pending sign-ins', async () => {
    const user = await signUp(t.api);
    await markVerified(t, user.id);
    const tokens = await login(t.api, user.email);
    await enableTotp(t.api, tokens.accessToken);
    const pendingSignIn = (await passwordLogin(user.email, PASSWORD)).body.mfaToken as string;

    await resetFromTheMailbox(user.email, 'a reset passphrase 2026');

    const finish = await send(
      t.api.POST('/api/v1/auth/login/mfa', { body: { mfaToken: pendingSignIn, code: '000000' } }),
    );
    expect(expectProblem(finish, 401).type).toBe('/problems/invalid-mfa-token');
    const again = await passwordLogin(user.email, 'a reset passphrase 2026');
    expect(again.body).toMatchObject({ mfaRequired: true });
  });
});
