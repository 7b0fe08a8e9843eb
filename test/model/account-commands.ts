import fc from 'fast-check';
import { SignJWT } from 'jose';
import { createSecretKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SigningKeys } from '../../src/keys/signing-keys.js';
import { bearer, send } from '../support/api-client.js';
import { AuthenticatorApp } from '../support/authenticator-app.js';
import { eventually } from '../support/eventually.js';
import { accountEmailJobsSettled } from '../support/jobs.js';
import { tokenIn, type ReceivedMail } from '../support/smtp-sink.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import {
  ACTORS,
  endEverySession,
  endPendingSignIns,
  forgetAccount,
  revokeEveryKey,
  hasFactor,
  knowsPassword,
  liveSession,
  type Actor,
  type HeldSession,
  type Model,
  type Real,
} from './account-model.js';

type Answer = Awaited<ReturnType<typeof send>>;
type Command = fc.AsyncCommand<Model, Real>;

const isWelcome = (m: ReceivedMail) => m.subject === 'Welcome to Gatehouse';
const isReset = (m: ReceivedMail) => m.subject === 'Reset your password';
const isInvitation = (m: ReceivedMail) => m.subject === 'Join The team';

/** Fails the run with what the model expected and what the service said. */
function expectStatus(answer: Answer, expected: number, what: string): void {
  if (answer.status !== expected)
    throw new Error(`${what}: expected ${expected}, got ${answer.status} ${answer.text.slice(0, 300)}`);
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
const newPassword = (actor: Actor) => `${actor} passphrase ${randomUUID().slice(0, 8)}`;
const tokensOf = (answer: Answer): HeldSession => ({
  accessToken: answer.body.accessToken,
  refreshToken: answer.body.refreshToken,
  live: true,
});

/** The `index`-th mail of a kind to the address, waited for (the job queue sends it). */
const mailAt = (real: Real, email: string, match: (m: ReceivedMail) => boolean, index: number) =>
  eventually(async () => real.sink.mailsTo(email).filter(match)[index], 10_000);

abstract class AccountCommand implements Command {
  constructor(protected readonly actor: Actor) {}
  abstract check(model: Readonly<Model>): boolean;
  abstract act(model: Model, real: Real): Promise<void>;
  async run(model: Model, real: Real): Promise<void> {
    model.steps++;
    await this.act(model, real);
  }
  toString(): string {
    return `${this.constructor.name}(${this.actor})`;
  }
}

/** Signs up with the owner's address and a password of the actor's own. */
class SignUp extends AccountCommand {
  // Once the account moved to another address, the owner's address is free: a second account,
  // which this model of one account does not follow.
  check = (model: Readonly<Model>) => !model.account || model.account.email === model.email;
  async act(model: Model, real: Real) {
    // The mails of an account deleted before must all be out, so that this one's come after them.
    const previous = model.previousAccountIds.at(-1);
    if (previous && !model.account)
      await accountEmailJobsSettled(real.t.db, `data->>'userId' = $1 OR data->>'email' = $2`, [
        previous,
        model.email,
      ]);
    const password = newPassword(this.actor);
    const welcomesBefore = real.sink.mailsTo(model.email).filter(isWelcome).length;
    const answer = await send(
      real.api.POST('/api/v1/users', { body: { email: model.email, password, name: 'Ada' } }),
    );
    if (model.account) return expectStatus(answer, 409, 'a second sign-up with the address');
    expectStatus(answer, 201, 'sign-up');
    model.actors[this.actor].passwords.push(password);
    model.account = {
      id: answer.body.id,
      email: model.email,
      mailbox: 'owner',
      createdBy: this.actor,
      password,
      verified: false,
      suspended: false,
      totp: null,
      recoveryCodes: new Set(),
      passkeys: new Set(),
      passkeyIds: new Map(),
      welcomeLinkLive: true,
      welcomesBefore,
      organizations: new Map(),
    };
  }
}

/**
 * The owner follows the welcome mail's link of an account they made. (One they did not make is a
 * known gap: see docs/security-model.md.)
 */
class VerifyFromMail extends AccountCommand {
  constructor() {
    super('owner');
  }
  check = (model: Readonly<Model>) => model.account?.createdBy === 'owner' && !model.account.verified;
  async act(model: Model, real: Real) {
    const account = model.account!;
    const mail = await mailAt(real, model.email, isWelcome, account.welcomesBefore);
    const token = tokenIn(mail, 'verify-email', real.origin);
    const verified = await send(real.api.POST('/api/v1/auth/verify-email', { body: { token } }));
    if (!account.welcomeLinkLive) return expectStatus(verified, 400, 'a link a suspension revoked');
    expectStatus(verified, 204, 'verify');
    account.verified = true;
  }
}

/** Whoever reads the account's mailbox proves it: forgot-password, then the link with a new password (I1, I5). */
class ResetFromMail extends AccountCommand {
  check = (model: Readonly<Model>) =>
    model.account !== null && !model.account.suspended && model.account.mailbox === this.actor;
  async act(model: Model, real: Real) {
    const account = model.account!;
    // Every earlier reset mail to the address has arrived: each command waited for its own.
    const before = real.sink.mailsTo(account.email).filter(isReset).length;
    const forgot = await send(
      real.api.POST('/api/v1/auth/forgot-password', { body: { email: account.email } }),
    );
    expectStatus(forgot, 202, 'forgot-password');
    const mail = await mailAt(real, account.email, isReset, before);
    const token = tokenIn(mail, 'reset-password', real.origin);
    const password = newPassword(this.actor);
    const reset = await send(
      real.api.POST('/api/v1/auth/reset-password', { body: { token, newPassword: password } }),
    );
    expectStatus(reset, 204, 'reset-password');
    model.actors[this.actor].passwords.push(password);
    account.password = password;
    endEverySession(model);
    if (!account.verified) {
      account.totp = null;
      account.recoveryCodes.clear();
      account.passkeys.clear();
      account.passkeyIds.clear();
    }
    account.verified = true;
  }
}

/** A password sign-in with the newest password the actor knows. */
class Login extends AccountCommand {
  check = (model: Readonly<Model>) => model.account !== null && model.actors[this.actor].passwords.length > 0;
  async act(model: Model, real: Real) {
    const account = model.account!;
    const knowledge = model.actors[this.actor];
    const password = knowledge.passwords.at(-1)!;
    const answer = await send(
      real.api.POST('/api/v1/auth/login', { body: { email: account.email, password } }),
    );
    if (password !== account.password) return expectStatus(answer, 401, 'login with a stale password');
    if (account.suspended) return expectStatus(answer, 403, 'login to a suspended account');
    expectStatus(answer, 200, 'login');
    if (hasFactor(account)) {
      if (!answer.body.mfaRequired) throw new Error('login: a second factor was due, and tokens came');
      knowledge.pending.push({ mfaToken: answer.body.mfaToken, live: true, wrongCodes: 0 });
    } else {
      if (answer.body.mfaRequired) throw new Error('login: no factor, yet one was asked for');
      knowledge.sessions.push(tokensOf(answer));
    }
  }
}

/** The second step of the actor's newest pending sign-in, with a recovery code the actor holds. */
class LoginWithRecoveryCode extends AccountCommand {
  check = (model: Readonly<Model>) =>
    model.actors[this.actor].pending.length > 0 && model.actors[this.actor].recoveryCodes.length > 0;
  async act(model: Model, real: Real) {
    const knowledge = model.actors[this.actor];
    const pending = knowledge.pending.at(-1)!;
    const recoveryCode = knowledge.recoveryCodes[0]!;
    const answer = await send(
      real.api.POST('/api/v1/auth/login/mfa', { body: { mfaToken: pending.mfaToken, recoveryCode } }),
    );
    const account = model.account;
    const right = account?.totp !== null && account?.recoveryCodes.has(recoveryCode);
    if (!account || !pending.live) return expectStatus(answer, 401, 'a dead mfaToken');
    if (!right) {
      expectStatus(answer, 401, 'a recovery code the account does not have');
      if (++pending.wrongCodes >= 5) pending.live = false;
      return;
    }
    expectStatus(answer, 200, 'the second step with a recovery code');
    pending.live = false;
    account.recoveryCodes.delete(recoveryCode);
    knowledge.recoveryCodes.shift();
    knowledge.sessions.push(tokensOf(answer));
  }
}

/** A passkey sign-in with the newest authenticator the actor holds. */
class PasskeySignIn extends AccountCommand {
  check = (model: Readonly<Model>) => model.actors[this.actor].passkeys.length > 0;
  async act(model: Model, real: Real) {
    const authenticator = model.actors[this.actor].passkeys.at(-1)!;
    const options = await send(real.api.POST('/api/v1/auth/passkeys/authentication/options'));
    expectStatus(options, 200, 'passkey options');
    const answer = await send(
      real.api.POST('/api/v1/auth/passkeys/authentication', {
        body: { response: authenticator.authenticate(options.body) } as never,
      }),
    );
    const registered = model.account?.passkeys.has(authenticator) ?? false;
    if (!registered) return expectStatus(answer, 401, 'a passkey the account does not have');
    if (model.account!.suspended) return expectStatus(answer, 403, 'a passkey of a suspended account');
    expectStatus(answer, 200, 'a passkey sign-in');
    model.actors[this.actor].sessions.push(tokensOf(answer));
  }
}

/** Set up and confirm an authenticator app; the recovery codes go to the actor (I1: verified only). */
class EnableTotp extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined && knowsPassword(model, this.actor) && !model.account!.totp;
  async act(model: Model, real: Real) {
    const account = model.account!;
    const session = liveSession(model, this.actor)!;
    const setup = await send(
      real.api.POST('/api/v1/auth/mfa/totp/setup', {
        ...bearer(session.accessToken),
        body: { currentPassword: account.password },
      }),
    );
    if (!account.verified) return expectStatus(setup, 403, 'an app on an unverified address');
    expectStatus(setup, 200, 'TOTP setup');
    const app = new AuthenticatorApp(setup.body.secret);
    const confirmed = await send(
      real.api.POST('/api/v1/auth/mfa/totp/confirm', {
        ...bearer(session.accessToken),
        body: { code: app.code() },
      }),
    );
    expectStatus(confirmed, 200, 'TOTP confirmation');
    endEverySession(model, session);
    account.totp = app;
    account.recoveryCodes = new Set(confirmed.body.recoveryCodes as string[]);
    model.actors[this.actor].recoveryCodes = [...(confirmed.body.recoveryCodes as string[])];
  }
}

/** Register a passkey the actor keeps (I1: verified only). */
class AddPasskey extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined &&
    knowsPassword(model, this.actor) &&
    model.account!.passkeys.size < 2;
  async act(model: Model, real: Real) {
    const account = model.account!;
    const session = liveSession(model, this.actor)!;
    const options = await send(
      real.api.POST('/api/v1/auth/passkeys/registration/options', {
        ...bearer(session.accessToken),
        body: { currentPassword: account.password },
      }),
    );
    if (!account.verified) return expectStatus(options, 403, 'a passkey on an unverified address');
    expectStatus(options, 200, 'passkey registration options');
    const authenticator = new SoftwareAuthenticator(real.origin);
    const registered = await send(
      real.api.POST('/api/v1/auth/passkeys/registration', {
        ...bearer(session.accessToken),
        body: { response: authenticator.register(options.body) } as never,
      }),
    );
    expectStatus(registered, 201, 'passkey registration');
    account.passkeys.add(authenticator);
    account.passkeyIds.set(authenticator, registered.body.id);
    model.actors[this.actor].passkeys.push(authenticator);
  }
}

/** A new password of the actor's; the actor's session stays, every other one ends (I5). */
class ChangePassword extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined && knowsPassword(model, this.actor);
  async act(model: Model, real: Real) {
    const account = model.account!;
    const session = liveSession(model, this.actor)!;
    const password = newPassword(this.actor);
    const answer = await send(
      real.api.POST('/api/v1/auth/change-password', {
        ...bearer(session.accessToken),
        body: { currentPassword: account.password, newPassword: password },
      }),
    );
    expectStatus(answer, 204, 'change-password');
    account.password = password;
    model.actors[this.actor].passwords.push(password);
    endEverySession(model, session);
  }
}

class LogoutAll extends AccountCommand {
  check = (model: Readonly<Model>) => liveSession(model, this.actor) !== undefined;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    expectStatus(
      await send(real.api.POST('/api/v1/auth/logout-all', bearer(session.accessToken))),
      204,
      'logout-all',
    );
    endEverySession(model);
  }
}

/** The actor refreshes its newest live session, from its own client. */
class Refresh extends AccountCommand {
  check = (model: Readonly<Model>) => liveSession(model, this.actor) !== undefined;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    const answer = await real.t.http.post('/auth/refresh', {
      body: { refreshToken: session.refreshToken },
      headers: { 'user-agent': `${this.actor} browser` },
    });
    expectStatus(answer as Answer, 200, 'refresh');
    // I15: the organization the session selected, while the account is still a member of it.
    const selected = session.organizationId;
    const role = selected ? model.account!.organizations.get(selected) : undefined;
    const claims = claimsOf(answer.body.accessToken);
    if (claims.org_id !== (role && selected) || claims.org_role !== role)
      throw new Error(
        `I15: a refreshed token names ${claims.org_id}/${claims.org_role}, the model ${selected}/${role}`,
      );
    session.spentRefreshToken = session.refreshToken;
    session.accessToken = answer.body.accessToken;
    session.refreshToken = answer.body.refreshToken;
  }
}

/** The attacker presents a copy of the owner's spent refresh token from another client (I8). */
class ReplayStolenRefreshToken extends AccountCommand {
  constructor() {
    super('attacker');
  }
  check = (model: Readonly<Model>) => model.actors.owner.sessions.some((s) => s.spentRefreshToken);
  async act(model: Model, real: Real) {
    const session = model.actors.owner.sessions.findLast((s) => s.spentRefreshToken)!;
    const answer = await real.t.http.post('/auth/refresh', {
      body: { refreshToken: session.spentRefreshToken! },
      headers: { 'user-agent': 'curl/8.0' },
    });
    expectStatus(answer as Answer, 401, 'a stolen spent refresh token');
    session.live = false;
  }
}

/**
 * Moves the account to a new address of the actor's, confirmed from that mailbox: the address is
 * verified, the other sessions end, and the mail now goes to the actor (I2: the password proves it).
 */
class ChangeEmail extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined && knowsPassword(model, this.actor);
  async act(model: Model, real: Real) {
    const account = model.account!;
    const session = liveSession(model, this.actor)!;
    const newEmail = `${this.actor}-${randomUUID().slice(0, 12)}@example.com`;
    const asked = await send(
      real.api.POST('/api/v1/auth/change-email', {
        ...bearer(session.accessToken),
        body: { newEmail, currentPassword: account.password },
      }),
    );
    expectStatus(asked, 202, 'change-email');
    const link = await mailAt(real, newEmail, (m) => m.subject === 'Confirm your new email address', 0);
    const token = tokenIn(link, 'confirm-email-change', real.origin);
    const confirmed = await send(real.api.POST('/api/v1/auth/confirm-email-change', { body: { token } }));
    expectStatus(confirmed, 204, 'confirm-email-change');
    account.email = newEmail;
    account.mailbox = this.actor;
    account.verified = true;
    account.welcomeLinkLive = false;
    for (const actor of ACTORS)
      for (const held of model.actors[actor].sessions) if (held !== session) held.live = false;
    revokeEveryKey(model);
  }
}

/** Ends the actor's newest live session, and only it. */
class Logout extends AccountCommand {
  check = (model: Readonly<Model>) => liveSession(model, this.actor) !== undefined;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    expectStatus(
      await send(real.api.POST('/api/v1/auth/logout', bearer(session.accessToken))),
      204,
      'logout',
    );
    session.live = false;
  }
}

/** A refresh repeated at once by the same client (two tabs): the same successor, the session lives (I8). */
class RepeatRefresh extends AccountCommand {
  check = (model: Readonly<Model>) => liveSession(model, this.actor) !== undefined;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    const refresh = () =>
      real.t.http.post('/auth/refresh', {
        body: { refreshToken: session.refreshToken },
        headers: { 'user-agent': `${this.actor} browser` },
      });
    const [first, second] = [await refresh(), await refresh()];
    expectStatus(first as Answer, 200, 'refresh');
    expectStatus(second as Answer, 200, 'the same client repeating a refresh');
    if (second.body.refreshToken !== first.body.refreshToken)
      throw new Error('I8: a repeat from the same client got another successor');
    session.spentRefreshToken = session.refreshToken;
    session.accessToken = second.body.accessToken;
    session.refreshToken = second.body.refreshToken;
  }
}

/** Proves the session again with the password the actor knows (I2, I6). */
class Reauthenticate extends AccountCommand {
  check = (model: Readonly<Model>) => liveSession(model, this.actor) !== undefined;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    const currentPassword = model.actors[this.actor].passwords.at(-1)!;
    const answer = await send(
      real.api.POST('/api/v1/auth/reauthenticate', {
        ...bearer(session.accessToken),
        body: { currentPassword },
      }),
    );
    expectStatus(answer, currentPassword === model.account!.password ? 204 : 400, 'reauthenticate');
  }
}

/**
 * A change of the app that takes the password and a recovery code the actor holds: the answer, or
 * null when the code is not one of the account's unused ones (then a 400, checked here).
 */
abstract class WithRecoveryCode extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined &&
    knowsPassword(model, this.actor) &&
    model.account!.totp !== null &&
    model.actors[this.actor].recoveryCodes.length > 0;

  protected async sendWithCode(
    model: Model,
    call: (
      headers: ReturnType<typeof bearer>,
      body: { currentPassword: string; recoveryCode: string },
    ) => Promise<Answer>,
  ): Promise<Answer | null> {
    const account = model.account!;
    const recoveryCode = model.actors[this.actor].recoveryCodes[0]!;
    const answer = await call(bearer(liveSession(model, this.actor)!.accessToken), {
      currentPassword: account.password,
      recoveryCode,
    });
    if (account.recoveryCodes.has(recoveryCode)) return answer;
    expectStatus(answer, 400, 'a stale recovery code');
    return null;
  }
}

/** Turns the app off with the password and a recovery code the actor holds. */
class DisableTotp extends WithRecoveryCode {
  async act(model: Model, real: Real) {
    const answer = await this.sendWithCode(model, (headers, body) =>
      send(real.api.DELETE('/api/v1/auth/mfa/totp', { ...headers, body })),
    );
    if (!answer) return;
    expectStatus(answer, 204, 'turning the app off');
    model.account!.totp = null;
    model.account!.recoveryCodes.clear();
    endPendingSignIns(model);
  }
}

/** New recovery codes, with the password and a recovery code the actor holds; the old ones die. */
class RegenerateRecoveryCodes extends WithRecoveryCode {
  async act(model: Model, real: Real) {
    const answer = await this.sendWithCode(model, (headers, body) =>
      send(real.api.POST('/api/v1/auth/mfa/recovery-codes', { ...headers, body })),
    );
    if (!answer) return;
    expectStatus(answer, 200, 'new recovery codes');
    const codes = answer.body.recoveryCodes as string[];
    model.account!.recoveryCodes = new Set(codes);
    model.actors[this.actor].recoveryCodes = [...codes];
  }
}

/** Removes a passkey the actor registered: it stops signing in, pending sign-ins end (I2: recent). */
class RemovePasskey extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined &&
    model.actors[this.actor].passkeys.some((passkey) => model.account!.passkeyIds.has(passkey));
  async act(model: Model, real: Real) {
    const account = model.account!;
    const session = liveSession(model, this.actor)!;
    const passkey = model.actors[this.actor].passkeys.findLast((p) => account.passkeyIds.has(p))!;
    const answer = await send(
      real.api.DELETE('/api/v1/auth/passkeys/{id}', {
        ...bearer(session.accessToken),
        params: { path: { id: account.passkeyIds.get(passkey)! } },
      }),
    );
    expectStatus(answer, 204, 'removing a passkey');
    account.passkeys.delete(passkey);
    account.passkeyIds.delete(passkey);
    endPendingSignIns(model);
  }
}

/** Deleting one's account: a sign-in moments ago counts as a recent authentication (I2). */
class DeleteMe extends AccountCommand {
  check = (model: Readonly<Model>) => liveSession(model, this.actor) !== undefined;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    expectStatus(
      await send(real.api.DELETE('/api/v1/users/me', bearer(session.accessToken))),
      204,
      'delete me',
    );
    forgetAccount(model);
  }
}

/**
 * The actor makes an API key with its session (a recent sign-in: the model's are all recent). The
 * attacker who holds a session makes one too: what recovers the account must revoke it (I14).
 */
class CreateApiKey extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined &&
    model.actors[this.actor].apiKeys.filter((key) => key.live).length < 2;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    const answer = await send(
      real.api.POST('/api/v1/auth/api-keys', {
        ...bearer(session.accessToken),
        // organizations:read too: a key's membership is read apart from a session's (I15).
        body: { name: `${this.actor}'s script`, scopes: ['users:read', 'organizations:read'] },
      }),
    );
    expectStatus(answer, 201, 'create an API key');
    model.actors[this.actor].apiKeys.push({ id: answer.body.id, key: answer.body.key, live: true });
  }
}

/** The actor revokes the newest key it made, with a session: that key alone stops. */
class RevokeApiKey extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined && model.actors[this.actor].apiKeys.some((key) => key.live);
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    const key = model.actors[this.actor].apiKeys.findLast((held) => held.live)!;
    const answer = await send(
      real.api.DELETE('/api/v1/auth/api-keys/{id}', {
        ...bearer(session.accessToken),
        params: { path: { id: key.id } },
      }),
    );
    expectStatus(answer, 204, 'revoke an API key');
    key.live = false;
  }
}

/**
 * A key tries what keys may never do (I14): make another key, change the password, sign out
 * everywhere. Each is a 403 `insufficient-scope`, and nothing changes.
 */
class OverreachWithApiKey extends AccountCommand {
  check = (model: Readonly<Model>) =>
    model.account !== null && model.actors[this.actor].apiKeys.some((key) => key.live);
  async act(model: Model, real: Real) {
    const { key } = model.actors[this.actor].apiKeys.findLast((held) => held.live)!;
    const answers = await Promise.all([
      send(
        real.api.POST('/api/v1/auth/api-keys', {
          ...bearer(key),
          body: { name: 'more', scopes: ['users:write'] },
        }),
      ),
      send(
        real.api.POST('/api/v1/auth/change-password', {
          ...bearer(key),
          body: { currentPassword: model.account!.password, newPassword: newPassword(this.actor) },
        }),
      ),
      send(real.api.POST('/api/v1/auth/logout-all', bearer(key))),
    ]);
    const refusal = model.account!.suspended ? 401 : 403;
    for (const answer of answers) expectStatus(answer, refusal, 'I14: an API key reaching past its scope');
  }
}

/**
 * The actor makes an organization with its session: the account becomes its owner when its address
 * is verified, and is refused (403) when it is not; nothing is made then.
 */
class CreateOrganization extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined && model.account!.organizations.size < 3;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    const answer = await real.t.http.post('/organizations', {
      token: session.accessToken,
      body: { name: `${this.actor}'s team`, slug: `model-${randomUUID().slice(0, 13)}` },
    });
    if (!model.account!.verified)
      return expectStatus(answer as Answer, 403, 'an unverified address makes an organization');
    expectStatus(answer as Answer, 201, 'create an organization');
    model.account!.organizations.set(answer.body.id, 'owner');
    model.actors[this.actor].organizations.push(answer.body.id);
  }
}

/**
 * The team (another account's organization) invites the account's address; whoever reads that
 * mailbox gets the link. Inviting the address again replaces the invitation it had.
 */
class TeamInvites implements Command {
  // A verified address not yet invited, as a team invites someone it knows: an unverified
  // account still meets invitations, after a deletion and a new sign-up with the address.
  check = (model: Readonly<Model>) =>
    model.account !== null &&
    model.account.verified &&
    !model.account.organizations.has(model.team ?? '') &&
    !ACTORS.some((actor) =>
      model.actors[actor].invitations.some((held) => held.live && held.email === model.account!.email),
    );
  async run(model: Model, real: Real) {
    model.steps++;
    const account = model.account!;
    if (!model.team) {
      const made = await real.t.http.post('/organizations', {
        token: real.teamOwnerToken(),
        body: { name: 'The team', slug: `team-${randomUUID().slice(0, 13)}` },
      });
      expectStatus(made as Answer, 201, "the team's organization");
      model.team = made.body.id as string;
    }
    const before = real.sink.mailsTo(account.email).filter(isInvitation).length;
    const invited = await real.t.http.post(`/organizations/${model.team}/invitations`, {
      token: real.teamOwnerToken(),
      body: { email: account.email, role: 'admin' },
    });
    expectStatus(invited as Answer, 201, 'the team invites the address');
    const mail = await mailAt(real, account.email, isInvitation, before);
    for (const actor of ACTORS)
      for (const held of model.actors[actor].invitations) if (held.email === account.email) held.live = false;
    const token = /\/accept-invitation\?token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;
    model.actors[account.mailbox].invitations.push({ token, email: account.email, live: true });
    model.actors[account.mailbox].organizations.push(model.team);
  }
  toString = () => 'TeamInvites';
}

/**
 * The actor accepts the newest invitation it holds with its session. Only a live invitation to the
 * account's own, verified address makes it a member; anything else changes nothing (400, or 403
 * while the address is not verified).
 */
class AcceptInvitation extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined && model.actors[this.actor].invitations.length > 0;
  async act(model: Model, real: Real) {
    const account = model.account!;
    const invitation = model.actors[this.actor].invitations.at(-1)!;
    const answer = await real.t.http.post('/organizations/invitations/accept', {
      token: liveSession(model, this.actor)!.accessToken,
      body: { token: invitation.token },
    });
    const forThisAccount = invitation.live && invitation.email === account.email;
    if (!forThisAccount)
      return expectStatus(answer as Answer, 400, 'I15: an invitation not for this account');
    if (!account.verified) return expectStatus(answer as Answer, 403, 'I15: an unverified address accepts');
    expectStatus(answer as Answer, 200, 'accept the invitation');
    invitation.live = false;
    if (!account.organizations.has(model.team!)) account.organizations.set(model.team!, 'admin');
  }
}

/** The team's owner removes the account from the team: it loses access at once (I15). */
class TeamRemoves implements Command {
  check = (model: Readonly<Model>) =>
    model.team !== null && (model.account?.organizations.has(model.team) ?? false);
  async run(model: Model, real: Real) {
    model.steps++;
    const answer = await real.t.http.delete(`/organizations/${model.team}/members/${model.account!.id}`, {
      token: real.teamOwnerToken(),
    });
    expectStatus(answer as Answer, 204, 'the team removes the account');
    model.account!.organizations.delete(model.team!);
  }
  toString = () => 'TeamRemoves';
}

/**
 * The actor leaves the newest organization the account is in: the team, freely; one it owns alone,
 * never (409, the last owner).
 */
class LeaveOrganization extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined && model.account!.organizations.size > 0;
  async act(model: Model, real: Real) {
    const account = model.account!;
    const [id, role] = [...account.organizations].at(-1)!;
    const answer = await real.t.http.post(`/organizations/${id}/leave`, {
      token: liveSession(model, this.actor)!.accessToken,
    });
    if (role === 'owner') return expectStatus(answer as Answer, 409, 'the last owner leaves');
    expectStatus(answer as Answer, 204, 'leave an organization');
    account.organizations.delete(id);
  }
}

/** The actor's session selects one of the account's organizations: its tokens name it (I15). */
class SelectOrganization extends AccountCommand {
  check = (model: Readonly<Model>) =>
    liveSession(model, this.actor) !== undefined && model.account!.organizations.size > 0;
  async act(model: Model, real: Real) {
    const session = liveSession(model, this.actor)!;
    const [id, role] = [...model.account!.organizations].at(-1)!;
    const answer = await real.t.http.request('PUT', '/auth/sessions/current/organization', {
      token: session.accessToken,
      body: { organizationId: id },
    });
    expectStatus(answer as Answer, 200, 'select an organization');
    const claims = claimsOf(answer.body.accessToken);
    if (claims.org_id !== id || claims.org_role !== role)
      throw new Error(`I15: the selected organization's token names ${claims.org_id}/${claims.org_role}`);
    session.organizationId = id;
    if (!model.actors[this.actor].organizations.includes(id)) model.actors[this.actor].organizations.push(id);
  }
}

type AdminAction = 'suspend' | 'unsuspend' | 'sign-out' | 'reset-mfa' | 'delete';

/** What an admin does to the account, through the API. */
class Admin implements Command {
  constructor(private readonly action: AdminAction) {}
  check = (model: Readonly<Model>) => model.account !== null;
  async run(model: Model, real: Real) {
    model.steps++;
    const account = model.account!;
    const path = { params: { path: { id: account.id } }, ...bearer(real.adminToken()) };
    switch (this.action) {
      case 'suspend': {
        const answer = await send(
          real.api.POST('/api/v1/users/{id}/suspend', { ...path, body: { reason: 'model' } }),
        );
        expectStatus(answer, 200, 'suspend');
        account.suspended = true;
        account.welcomeLinkLive = false;
        return endEverySession(model, undefined, { keys: false });
      }
      case 'unsuspend':
        expectStatus(await send(real.api.POST('/api/v1/users/{id}/unsuspend', path)), 200, 'unsuspend');
        account.suspended = false;
        return;
      case 'sign-out':
        expectStatus(
          await send(real.api.DELETE('/api/v1/users/{id}/sessions', path)),
          204,
          'sign out everywhere',
        );
        return endEverySession(model);
      case 'reset-mfa':
        expectStatus(await send(real.api.DELETE('/api/v1/users/{id}/mfa', path)), 204, 'reset MFA');
        account.totp = null;
        account.recoveryCodes.clear();
        account.passkeys.clear();
        account.passkeyIds.clear();
        return endEverySession(model);
      case 'delete':
        expectStatus(await send(real.api.DELETE('/api/v1/users/{id}', path)), 204, 'delete');
        return forgetAccount(model);
    }
  }
  toString = () => `Admin(${this.action})`;
}

/**
 * Redis, which counts attempts for every instance, goes away for a while and comes back (docs/operations.md,
 * "When Redis is away"). Meanwhile every session answers as the model says (I9), and no proof is
 * checked (I6): each sign-in with any password an actor holds, the account's own included, is a
 * 503, as are a sign-up and a reset mail with the address; nothing changes.
 */
class CountersAway implements Command {
  check = (model: Readonly<Model>) => model.redis && model.account !== null;
  async run(model: Model, real: Real): Promise<void> {
    model.steps++;
    await real.redis!.stop();
    try {
      for (const actor of ACTORS)
        for (const session of model.actors[actor].sessions) {
          const me = await send(real.api.GET('/api/v1/users/me', bearer(session.accessToken)));
          expectStatus(me, session.live ? 200 : 401, `the ${actor}'s session while Redis is away`);
        }
      const passwords = new Set(ACTORS.flatMap((a) => model.actors[a].passwords.slice(-2)));
      if (model.account) passwords.add(model.account.password);
      const email = model.account?.email ?? model.email;
      const refused = [
        ...[...passwords].map((password) =>
          real.t.http.post('/auth/login', { body: { email, password }, serverError: 503 }),
        ),
        real.t.http.post('/users', {
          body: { email, password: newPassword('attacker'), name: 'Eve' },
          serverError: 503,
        }),
        real.t.http.post('/auth/forgot-password', { body: { email }, serverError: 503 }),
      ];
      for (const answer of await Promise.all(refused))
        if (answer.status !== 503 || answer.body?.type !== '/problems/dependency-unavailable')
          throw new Error(
            `I6: while Redis is away, a proof was taken: ${answer.status} ${answer.text.slice(0, 300)}`,
          );
    } finally {
      await real.redis!.start();
    }
  }
  toString = () => 'CountersAway';
}

/**
 * The operator rotates the signing keys at once (`keys rotate --force`), as after a leak. Nothing
 * the model holds changes: every live session's token, signed by the key now retired, still
 * answers, and every ended one still does not (I13, checked after the command as after any).
 */
class RotateSigningKeys implements Command {
  check = (model: Readonly<Model>) => model.account !== null;
  async run(model: Model, real: Real): Promise<void> {
    model.steps++;
    // The retention job's part, as time would do it: the retired keys no token anyone holds names
    // (those of earlier sequences' sessions, long given up) leave, so the set stays a real one's size.
    const held = [
      real.adminToken(),
      ...ACTORS.flatMap((a) => model.actors[a].sessions.map((s) => s.accessToken)),
    ];
    const kids = held.map(
      (token) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid,
    );
    await real.t.db.query(`DELETE FROM signing_keys WHERE state = 'retired' AND NOT (kid = ANY($1))`, [kids]);
    await real.t.app.get(SigningKeys).rotate({ force: true });
  }
  toString = () => 'RotateSigningKeys';
}

/**
 * The attacker signs an access token for the account with a key of their own, naming the
 * published key that signs (or none), and with `alg: none`; HS256 keyed with the public key: 401
 * every time (I13).
 */
class ForgeAccessToken implements Command {
  check = (model: Readonly<Model>) => model.account !== null;
  async run(model: Model, real: Real): Promise<void> {
    model.steps++;
    const keys = (await real.t.http.get('/.well-known/jwks.json')).body.keys as { kid: string; x: string }[];
    const [published] = keys;
    const owner = liveSession(model, 'owner');
    const sid = owner
      ? JSON.parse(Buffer.from(owner.accessToken.split('.')[1], 'base64url').toString()).sid
      : randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: model.account!.id,
      sid,
      iss: 'gatehouse',
      aud: 'gatehouse-api',
      iat: now,
      exp: now + 600,
    };
    const own = generateKeyPairSync('ed25519').privateKey;
    const forged = [
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: published!.kid })
        .sign(own),
      await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).sign(own),
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: published!.kid })
        .sign(createSecretKey(Buffer.from(published!.x))),
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: published!.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
    ];
    for (const token of forged)
      expectStatus(
        await send(real.api.GET('/api/v1/users/me', bearer(token))),
        401,
        'I13: a token the attacker signed',
      );
  }
  toString = () => 'ForgeAccessToken';
}

const each = (make: (actor: Actor) => Command) => ACTORS.map(make);

/**
 * Every command, for both actors where either may do it. Those that need state built up first (a
 * verified account, a session, a factor) appear twice, to be picked as often as the ones that
 * build it.
 */
export const ACCOUNT_COMMANDS: Command[] = [
  ...each((actor) => new SignUp(actor)),
  ...each((actor) => new Login(actor)),
  ...each((actor) => new Login(actor)),
  new VerifyFromMail(),
  // Twice: what a verified address opens (organizations, second factors) needs it first.
  new VerifyFromMail(),
  ...each((actor) => new ResetFromMail(actor)),
  ...each((actor) => new ChangeEmail(actor)),
  ...each((actor) => new LoginWithRecoveryCode(actor)),
  ...each((actor) => new LoginWithRecoveryCode(actor)),
  ...each((actor) => new PasskeySignIn(actor)),
  ...each((actor) => new PasskeySignIn(actor)),
  ...each((actor) => new EnableTotp(actor)),
  ...each((actor) => new EnableTotp(actor)),
  ...each((actor) => new AddPasskey(actor)),
  ...each((actor) => new AddPasskey(actor)),
  ...each((actor) => new ChangePassword(actor)),
  ...each((actor) => new LogoutAll(actor)),
  ...each((actor) => new Logout(actor)),
  ...each((actor) => new Refresh(actor)),
  ...each((actor) => new RepeatRefresh(actor)),
  ...each((actor) => new Reauthenticate(actor)),
  ...each((actor) => new DisableTotp(actor)),
  ...each((actor) => new RegenerateRecoveryCodes(actor)),
  ...each((actor) => new RemovePasskey(actor)),
  new ReplayStolenRefreshToken(),
  ...each((actor) => new DeleteMe(actor)),
  ...(['suspend', 'unsuspend', 'sign-out', 'reset-mfa', 'delete'] as const).map(
    (action) => new Admin(action),
  ),
  new CountersAway(),
  new RotateSigningKeys(),
  new ForgeAccessToken(),
  // Keys matter once made and then outlived by a recovery: made as often as a session is.
  ...each((actor) => new CreateApiKey(actor)),
  ...each((actor) => new CreateApiKey(actor)),
  ...each((actor) => new CreateApiKey(actor)),
  ...each((actor) => new RevokeApiKey(actor)),
  ...each((actor) => new OverreachWithApiKey(actor)),
  ...each((actor) => new OverreachWithApiKey(actor)),
  // Organizations (I15): made, joined by invitation, selected, left, and removed from. What needs
  // a membership first appears more often, to be picked as often as what makes one.
  ...each((actor) => new CreateOrganization(actor)),
  new TeamInvites(),
  ...each((actor) => new AcceptInvitation(actor)),
  ...each((actor) => new AcceptInvitation(actor)),
  ...each((actor) => new AcceptInvitation(actor)),
  ...each((actor) => new SelectOrganization(actor)),
  ...each((actor) => new SelectOrganization(actor)),
  ...each((actor) => new LeaveOrganization(actor)),
  new TeamRemoves(),
  new TeamRemoves(),
];

/**
 * One step of a sequence: of the commands whose precondition holds in the model now, the one
 * `choice` picks. Drawing among those that apply (rather than among all, skipping the rest) keeps
 * sequences long enough to reach factors, refreshes and resets. Its name, once run, is the
 * command's, so a failing sequence reads as what ran.
 */
export class ChosenCommand implements Command {
  private chosen?: Command;
  constructor(
    private readonly choice: number,
    private readonly afterEach: (model: Model, real: Real) => Promise<void>,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const applicable = ACCOUNT_COMMANDS.filter((command) => command.check(model));
    this.chosen = applicable[this.choice % applicable.length]!;
    model.trace.push(this.chosen.toString());
    await this.chosen.run(model, real);
    await this.afterEach(model, real);
  }
  toString = () => this.chosen?.toString() ?? `Chosen(${this.choice})`;
}
