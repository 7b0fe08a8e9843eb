import { randomUUID } from 'node:crypto';
import { AccountAccessService } from '../../src/auth/account-access.service.js';
import { AuthenticatorApp } from '../support/authenticator-app.js';
import { aUser, PASSWORD } from '../support/factories.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { tokenIn, type SmtpSink } from '../support/smtp-sink.js';
import { aSignedInAdmin, markVerified, type TestApp } from '../support/test-app.js';

/** A signed-in account the fuzzer calls as. */
export interface Account {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** An account with an authenticator app, and what its owner holds to prove it. */
export interface TotpAccount extends Account {
  /** A code of a step no earlier code of this account used (the server spends each step once). */
  nextCode(): string;
  recoveryCodes: string[];
}

export interface PasskeyAccount extends Account {
  authenticator: SoftwareAuthenticator;
  passkeyId: string;
}

type LinkPurpose = 'verify-email' | 'reset-password' | 'confirm-email-change';

/** An organization of a new owner of its own, with a member who joined as `member`. */
export interface Organization {
  id: string;
  slug: string;
  owner: Account;
  member: Account;
}

/** The relying party and the links' base: WebAuthn refuses an IP address as its id. */
export const PUBLIC_URL = 'http://localhost:3999';

/**
 * What a client of the API holds and does outside one request, for the positive cases: accounts of
 * its own (the user and admin callers, and fresh ones for what ends an account's sessions), the
 * links its mailbox receives, the codes of its authenticator app, and a passkey authenticator.
 * Set-up requests go through `call`: they are not cases, and a failed one fails the run.
 */
/** Where the fuzzer's webhooks go: the discard port of this host, where nothing listens. */
export const FUZZ_WEBHOOK_URL = 'http://127.0.0.1:9/fuzz';

export class FuzzWorld {
  user!: Account;
  admin!: Account;
  /**
   * Every admin the fuzzer made or saw promoted. When the admin caller loses its role, another of
   * these takes over; none is made to replace it, so "an active admin is left" stays the server's
   * to keep (invariants.ts).
   */
  private readonly admins: Account[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly sink: SmtpSink,
  ) {}

  get baseUrl(): string {
    return this.t.http.baseUrl;
  }

  async call(method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
  }

  /** `call`, and an error naming the step when it does not answer `status`. */
  async expect(status: number, method: string, path: string, init: { token?: string; body?: unknown } = {}) {
    const answer = await this.call(method, path, init);
    if (answer.status !== status)
      throw new Error(`set-up ${method} ${path}: expected ${status}, got ${answer.status}\n${answer.text}`);
    return answer.body;
  }

  /** A new admin, made the way the CLI makes one, signed in. */
  async newAdmin(): Promise<Account> {
    const { user, tokens } = await aSignedInAdmin(this.t);
    const admin = { id: user.id, email: user.email, password: PASSWORD, ...tokens };
    this.admins.push(admin);
    return admin;
  }

  /** The role behind an account's token; undefined once it no longer works (logged out, deleted). */
  async roleOf(account: Account): Promise<string | undefined> {
    const me = await this.call('GET', '/api/v1/users/me', { token: account.accessToken });
    if (me.status === 401) return undefined;
    if (me.status !== 200) throw new Error(`GET /users/me to check a caller: ${me.status} ${me.text}`);
    return me.body.role;
  }

  /** New callers when a request (a logout, a deletion, a change of role) took the old ones away. */
  async renewCallers(): Promise<void> {
    const role = await this.roleOf(this.user);
    if (role === 'admin') this.admins.push(this.user);
    if (role !== 'user') this.user = await this.newUser();
    if ((await this.roleOf(this.admin)) !== 'admin') this.admin = await this.anotherAdmin();
  }

  /** The admins that can still sign in as admins, signed in again. */
  async activeAdmins(): Promise<Account[]> {
    const active: Account[] = [];
    for (const account of this.admins) {
      const signIn = () =>
        this.call('POST', '/api/v1/auth/login', {
          body: { email: account.email, password: account.password },
        });
      let signedIn = await signIn();
      if (signedIn.status === 429) {
        // Generated requests with wrong current passwords lock the admin's address, as they would
        // anyone's: the operator lifts the lock (npm run cli -- unlock), then the admin signs in.
        await this.t.app.get(AccountAccessService).unlockAddress(account.email);
        signedIn = await signIn();
      }
      if (signedIn.status !== 200) continue;
      const renewed = { ...account, ...signedIn.body };
      if ((await this.roleOf(renewed)) === 'admin') active.push(renewed);
    }
    return active;
  }

  private async anotherAdmin(): Promise<Account> {
    const [admin] = await this.activeAdmins();
    if (!admin) throw new Error('no active admin is left: the last one was demoted, suspended or deleted');
    return admin;
  }

  /**
   * A new user, signed in; its address verified unless asked otherwise (a user who adds second
   * factors has verified it: docs/security-model.md, I1).
   */
  async newUser({ verified = true } = {}): Promise<Account> {
    const body = aUser();
    const created = await this.expect(201, 'POST', '/api/v1/users', { body });
    if (verified) await markVerified(this.t, created.id);
    const tokens = await this.expect(200, 'POST', '/api/v1/auth/login', {
      body: { email: body.email, password: body.password },
    });
    return { id: created.id, email: created.email, password: body.password, ...tokens };
  }

  /** A new account with an API key of its own (`users:read`), as `POST /auth/api-keys` answered it. */
  async newApiKey(): Promise<{ userId: string; accessToken: string; key: { id: string; key: string } }> {
    const account = await this.newUser();
    const key = await this.expect(201, 'POST', '/api/v1/auth/api-keys', {
      token: account.accessToken,
      body: { name: 'fuzz', scopes: ['users:read'] },
    });
    return { userId: account.id, accessToken: account.accessToken, key };
  }

  /**
   * A new webhook subscription, made through the API by a new admin (creating one needs a recent
   * sign-in), to a loopback port nothing listens on: deliveries fail at once and are retried much
   * later, and no fuzz case sends traffic beyond this host. The oldest subscriptions go first
   * (in the database) so the run stays under MAX_WEBHOOK_SUBSCRIPTIONS.
   */
  async newWebhook(): Promise<{ id: string; admin: Account }> {
    await this.t.db.query(
      `DELETE FROM webhook_subscriptions WHERE id NOT IN
         (SELECT id FROM webhook_subscriptions ORDER BY created_at DESC LIMIT 30)`,
    );
    const admin = await this.newAdmin();
    const { id } = await this.expect(201, 'POST', '/api/v1/webhooks', {
      token: admin.accessToken,
      body: { url: FUZZ_WEBHOOK_URL, events: ['webhook.secret-rotated'] },
    });
    return { id, admin };
  }

  /** A delivery of the subscription that failed for good (in the database: the retries take a day). */
  async failedDelivery(subscriptionId: string): Promise<string> {
    const [row] = await this.t.db.query(
      `INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, payload, status, attempts, created_at, settled_at)
       VALUES ($1, gen_random_uuid(), 'webhook.secret-rotated', '{}', 'failed', 8, now(), now()) RETURNING id`,
      [subscriptionId],
    );
    return row.id;
  }

  /**
   * A new organization made through the API by a new owner, with a new member (added in the
   * database: the invitation's round trip is the acceptance plan's subject, not every plan's).
   */
  async newOrganization(): Promise<Organization> {
    const owner = await this.newUser();
    const slug = `fuzz-${randomUUID().slice(0, 13)}`;
    const { id } = await this.expect(201, 'POST', '/api/v1/organizations', {
      token: owner.accessToken,
      body: { name: 'Fuzz', slug },
    });
    const member = await this.newUser();
    await this.t.db.query(
      `INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, 'member', now())`,
      [id, member.id],
    );
    return { id, slug, owner, member };
  }

  /** An invitation of the organization's owner to a new verified user (its id). */
  async newInvitation(organization: Organization): Promise<{ invitee: Account; id: string }> {
    const invitee = await this.newUser();
    const { id } = await this.expect(201, 'POST', `/api/v1/organizations/${organization.id}/invitations`, {
      token: organization.owner.accessToken,
      body: { email: invitee.email, role: 'member' },
    });
    return { invitee, id };
  }

  /**
   * An invitation as its invitee receives it: the token of the link its mail carries. The mail
   * may wait its turn behind the welcome mails the run's sign-ups queued; a timeout says what
   * became of the job.
   */
  async mailedInvitation(organization: Organization): Promise<{ invitee: Account; token: string }> {
    const { invitee, id } = await this.newInvitation(organization);
    const link = /\/accept-invitation\?token=([A-Za-z0-9_-]+)/;
    const deadline = Date.now() + 60_000;
    for (;;) {
      // Its welcome mail goes to the same address, before or after this one.
      const found = this.sink
        .mailsTo(invitee.email)
        .map((mail) => link.exec(mail.text))
        .find((match) => match !== null);
      if (found) return { invitee, token: found[1]! };
      if (Date.now() > deadline) {
        const jobs = await this.t.db.query(
          `SELECT state, retry_count, output FROM pgboss.job WHERE name = 'organization-invitation' AND data->>'invitationId' = $1`,
          [id],
        );
        throw new Error(
          `no invitation mailed to ${invitee.email} within 60 s; its job: ${JSON.stringify(jobs)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The token of the newest `purpose` link mailed to `email` once `send` has run. */
  async linkMailedBy(email: string, purpose: LinkPurpose, send: () => Promise<unknown>): Promise<string> {
    const carries = (text: string) => text.includes(`${PUBLIC_URL}/${purpose}?token=`);
    const before = this.sink.mailsTo(email).filter((m) => carries(m.text)).length;
    await send();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const mails = this.sink.mailsTo(email).filter((m) => carries(m.text));
      if (mails.length > before) return tokenIn(mails[mails.length - 1], purpose, PUBLIC_URL);
      if (Date.now() > deadline) throw new Error(`no ${purpose} link mailed to ${email} within 15 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A new user with an authenticator app set up and confirmed through the API. */
  async newTotpUser(): Promise<TotpAccount> {
    const account = await this.newUser();
    const { secret } = await this.expect(200, 'POST', '/api/v1/auth/mfa/totp/setup', {
      token: account.accessToken,
      body: { currentPassword: account.password },
    });
    const app = new StepKeepingApp(secret);
    const confirmed = await this.expect(200, 'POST', '/api/v1/auth/mfa/totp/confirm', {
      token: account.accessToken,
      body: { code: app.nextCode() },
    });
    // Confirming ended every other session; this one lives on.
    return { ...account, nextCode: () => app.nextCode(), recoveryCodes: confirmed.recoveryCodes };
  }

  /** A new user with one passkey, registered through the API by a software authenticator. */
  async newPasskeyUser(): Promise<PasskeyAccount> {
    const account = await this.newUser();
    const authenticator = this.passkeyAuthenticator();
    const options = await this.registrationOptions(account);
    const passkey = await this.expect(201, 'POST', '/api/v1/auth/passkeys/registration', {
      token: account.accessToken,
      body: { response: authenticator.register(options) },
    });
    return { ...account, authenticator, passkeyId: passkey.id };
  }

  registrationOptions(account: Account) {
    return this.expect(200, 'POST', '/api/v1/auth/passkeys/registration/options', {
      token: account.accessToken,
      body: { currentPassword: account.password },
    });
  }

  /** A passkey authenticator for the relying party, counting its signatures. */
  passkeyAuthenticator(): SoftwareAuthenticator {
    return new SoftwareAuthenticator(PUBLIC_URL, { countsSignatures: true });
  }

  authenticationOptions() {
    return this.expect(200, 'POST', '/api/v1/auth/passkeys/authentication/options');
  }

  /** An address nobody has. */
  static unknownEmail(): string {
    return `nobody-${randomUUID().slice(0, 8)}@example.com`;
  }
}

/**
 * An authenticator app that never repeats a step: each code is of the step after the last one it
 * gave, or of the current step when that is later. Within the server's ±1 step, so accepted.
 */
class StepKeepingApp {
  private readonly app: AuthenticatorApp;
  private lastStep = -1;
  /** The instant of the code being made: a step's own, not the clock's, which may move meanwhile. */
  private at = 0;
  constructor(secret: string) {
    this.app = new AuthenticatorApp(secret, () => this.at);
  }
  nextCode(): string {
    this.lastStep = Math.max(Math.floor(Date.now() / 30_000), this.lastStep + 1);
    this.at = this.lastStep * 30_000;
    return this.app.code();
  }
}
