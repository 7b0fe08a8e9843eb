import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuditLog } from '../audit/audit-log.js';
import type { TokenPair } from '../auth/access-tokens.js';
import { CredentialChecks } from '../auth/credential-checks.js';
import { SignInService } from '../auth/sign-in.service.js';
import { MFA_CHALLENGE_TTL_SECONDS, MfaChallenges } from '../auth/mfa-challenges.js';
import type { Principal } from '../access/principal.js';
import { Clock } from '../common/clock.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { MAX_PASSKEYS_PER_USER, type Passkey } from './entities/passkey.entity.js';
import {
  EmailNotVerifiedError,
  InvalidPasskeyError,
  WrongSecondFactorError,
  PasskeyLimitError,
  PasskeyNotFoundError,
  PasskeyRejectedError,
} from './mfa.errors.js';
import { SecondFactorsRepository } from './second-factors.repository.js';

/** The challenge a WebAuthn response signed, read from its client data (verified again by the library). */
function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const { challenge } = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    return typeof challenge === 'string' && /^[\w-]{16,200}$/.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');

/**
 * Passkeys (WebAuthn Level 3, discoverable credentials with user verification) through
 * @simplewebauthn/server. The relying party is APP_PUBLIC_URL: its host is the RP id, its origin the
 * only origin accepted. Every challenge is single use and expires (MfaChallenges). A passkey signs
 * in on its own: it is something you have, unlocked by something you know or are.
 */
@Injectable()
export class PasskeysService {
  private readonly logger = new Logger('Passkeys');
  private readonly rpId: string;
  private readonly origin: string;
  /**
   * The library and its certificate parsers (~120 modules) load with the first passkey ceremony,
   * not at boot.
   */
  private library?: Promise<typeof import('@simplewebauthn/server')>;

  constructor(
    @Inject(appConfig.KEY) app: AppConfig,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly users: UsersService,
    private readonly credentials: CredentialChecks,
    private readonly signIn: SignInService,
    private readonly challenges: MfaChallenges,
    private readonly factors: SecondFactorsRepository,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly notices: SecurityNotices,
  ) {
    const url = new URL(app.publicUrl);
    this.rpId = url.hostname;
    this.origin = url.origin;
  }

  private webauthn(): Promise<typeof import('@simplewebauthn/server')> {
    return (this.library ??= import('@simplewebauthn/server'));
  }

  /** Needs the current password: a passkey signs in alone, so adding one is guarded like a password change. */
  async registrationOptions(
    principal: Principal,
    currentPassword: string,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const user = await this.users.getById(principal.userId);
    await this.credentials.checkCurrentPassword(user, currentPassword);
    if (!user.emailVerified) throw new EmailNotVerifiedError();
    const existing = await this.factors.passkeysOf(user.id);
    if (existing.length >= MAX_PASSKEYS_PER_USER) throw new PasskeyLimitError(MAX_PASSKEYS_PER_USER);
    const { generateRegistrationOptions } = await this.webauthn();
    const options = await generateRegistrationOptions({
      rpName: this.auth.mfaIssuer,
      rpID: this.rpId,
      userName: user.email,
      userDisplayName: user.name,
      userID: uuidBytes(user.id),
      timeout: MFA_CHALLENGE_TTL_SECONDS * 1000,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({
        id: passkey.credentialId,
        transports: passkey.transports,
      })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    await this.challenges.issue('passkey-registration', user.id, { token: options.challenge });
    return options;
  }

  async register(principal: Principal, response: RegistrationResponseJSON, name?: string): Promise<Passkey> {
    const challenge = challengeOf(response.response.clientDataJSON);
    const issued = challenge && (await this.challenges.peek('passkey-registration', challenge));
    if (!challenge || !issued || issued.userId !== principal.userId)
      throw new PasskeyRejectedError('its challenge is unknown, expired or used');
    const { verifyRegistrationResponse } = await this.webauthn();
    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: this.origin,
      expectedRPID: this.rpId,
      requireUserVerification: true,
    }).catch((error: Error) => {
      throw new PasskeyRejectedError(error.message.replace(/\.$/, ''));
    });
    if (!verification.verified) throw new PasskeyRejectedError('it did not verify');
    const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
    const now = this.clock.now();
    const passkey = await this.transactions.run(async (transaction) => {
      const user = await this.users.getForUpdate(principal.userId, transaction);
      if (!(await this.challenges.spend('passkey-registration', challenge, transaction)))
        throw new PasskeyRejectedError('its challenge is unknown, expired or used');
      if (!user.emailVerified) throw new EmailNotVerifiedError();
      if (user.passkeyCount >= MAX_PASSKEYS_PER_USER) throw new PasskeyLimitError(MAX_PASSKEYS_PER_USER);
      if (await this.factors.findPasskeyByCredential(credential.id, transaction))
        throw new PasskeyRejectedError('this credential is registered already');
      const added = await this.factors.addPasskey(
        {
          userId: user.id,
          credentialId: credential.id,
          publicKey: Buffer.from(credential.publicKey),
          signCount: credential.counter,
          transports: credential.transports ?? [],
          deviceType: credentialDeviceType,
          backedUp: credentialBackedUp,
          name: name ?? defaultName(user.passkeyCount + 1),
          createdAt: now,
          lastUsedAt: null,
        },
        transaction,
      );
      await this.countPasskeys(user.id, transaction);
      await this.record('mfa.passkey-added', added, transaction);
      await this.notices.send(user.id, 'second-factor-added', transaction, { factor: 'passkey' });
      return added;
    });
    this.logger.log(`passkey added (user ${principal.userId}, passkey ${passkey.id})`);
    return passkey;
  }

  list(principal: Principal): Promise<Passkey[]> {
    return this.factors.passkeysOf(principal.userId);
  }

  /** Another account's passkey is not found, exactly as one that never existed. */
  async rename(principal: Principal, id: string, name: string): Promise<Passkey> {
    return this.transactions.run(async (transaction) => {
      if (!(await this.factors.renamePasskey(principal.userId, id, name, transaction)))
        throw new PasskeyNotFoundError();
      const passkey = (await this.factors.findPasskey(principal.userId, id, transaction))!;
      await this.record('mfa.passkey-renamed', passkey, transaction);
      return passkey;
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const user = await this.users.getForUpdate(principal.userId, transaction);
      const passkey = await this.factors.findPasskey(user.id, id, transaction);
      if (!passkey || !(await this.factors.deletePasskey(user.id, id, transaction)))
        throw new PasskeyNotFoundError();
      await this.countPasskeys(user.id, transaction);
      await this.challenges.forgetAllOf(user.id, transaction);
      await this.record('mfa.passkey-removed', passkey, transaction);
      await this.notices.send(user.id, 'second-factor-removed', transaction, { factor: 'passkey' });
    });
  }

  /** For a discoverable credential: no user is named, so nothing is told about any account. */
  async authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { generateAuthenticationOptions } = await this.webauthn();
    const options = await generateAuthenticationOptions({
      rpID: this.rpId,
      userVerification: 'required',
      timeout: MFA_CHALLENGE_TTL_SECONDS * 1000,
    });
    await this.challenges.issue('passkey-authentication', null, { token: options.challenge });
    return options;
  }

  /**
   * Signs in with a passkey: the challenge must be live and unused, the credential registered, the
   * signature, origin, RP id and user verification right, and the signature counter, for an
   * authenticator that counts, must have moved forward (a cloned key is refused). Every failure is
   * the same 401.
   */
  async authenticate(response: AuthenticationResponseJSON, client: ClientInfo): Promise<TokenPair> {
    const user = await this.verifyAssertion(response, (holder) =>
      this.credentials.loginFailed(holder, 'wrong-second-factor'),
    );
    return this.signIn.signInWith(user, 'passkey', client);
  }

  /**
   * A signed-in session proves itself again with one of its account's passkeys
   * (`POST /auth/reauthenticate`): the same checks as a sign-in, and `renew` in the transaction that
   * spends the challenge. Another account's passkey, or any failure, is a 400 on `#/passkey`.
   */
  async reauthenticate(
    principal: Principal,
    response: AuthenticationResponseJSON,
    renew: (transaction: Transaction) => Promise<void>,
  ): Promise<void> {
    try {
      await this.verifyAssertion(
        response,
        (holder) => this.credentials.proofFailed(holder, 'passkey'),
        async (holder, transaction) => {
          if (holder.id !== principal.userId) throw new InvalidPasskeyError();
          await renew(transaction);
        },
      );
    } catch (error) {
      if (error instanceof InvalidPasskeyError) throw new WrongSecondFactorError('passkey');
      throw error;
    }
  }

  /**
   * Verifies an assertion and spends its challenge (with `then`, in the same transaction): the
   * passkey's user. `failed` records a signature that did not verify.
   */
  private async verifyAssertion(
    response: AuthenticationResponseJSON,
    failed: (user: User) => Promise<void>,
    then?: (user: User, transaction: Transaction) => Promise<void>,
  ): Promise<User> {
    const challenge = challengeOf(response.response.clientDataJSON);
    const issued = challenge && (await this.challenges.peek('passkey-authentication', challenge));
    const passkey = issued ? await this.factors.findPasskeyByCredential(response.id) : null;
    const user = passkey && (await this.users.findById(passkey.userId));
    if (!challenge || !passkey || !user) throw new InvalidPasskeyError();
    const { verifyAuthenticationResponse } = await this.webauthn();
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: this.origin,
      expectedRPID: this.rpId,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.signCount,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    }).catch(() => ({ verified: false as const, authenticationInfo: undefined }));
    const userHandle = response.response.userHandle;
    const sameUser = userHandle === undefined || userHandle === uuidBytes(user.id).toString('base64url');
    if (!verification.verified || !sameUser) {
      await failed(user);
      throw new InvalidPasskeyError();
    }
    await this.transactions.run(async (transaction) => {
      if (!(await this.challenges.spend('passkey-authentication', challenge, transaction)))
        throw new InvalidPasskeyError();
      await this.factors.passkeyUsed(
        passkey.id,
        verification.authenticationInfo.newCounter,
        this.clock.now(),
        transaction,
      );
      await then?.(user, transaction);
    });
    return user;
  }

  private async countPasskeys(userId: string, transaction: Transaction): Promise<void> {
    const passkeyCount = await this.factors.countPasskeys(userId, transaction);
    await this.users.setSecondFactors(userId, { passkeyCount }, transaction);
  }

  private record(
    type: 'mfa.passkey-added' | 'mfa.passkey-renamed' | 'mfa.passkey-removed',
    passkey: Passkey,
    transaction: Transaction,
  ) {
    const details = { passkeyId: passkey.id, name: passkey.name };
    return this.audit.record({ type, subjectUserId: passkey.userId, details }, transaction);
  }
}

const defaultName = (n: number) => `Passkey ${n}`;
