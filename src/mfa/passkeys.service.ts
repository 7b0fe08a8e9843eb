import { Injectable, Logger } from '@nestjs/common';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Principal } from '../access/principal.js';
import { AuditLog } from '../audit/audit-log.js';
import { CredentialChecks } from '../auth/credential-checks.js';
import { MfaChallenges } from '../auth/mfa-challenges.js';
import { Clock } from '../common/clock.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { UsersService } from '../users/users.service.js';
import { MAX_PASSKEYS_PER_USER, type Passkey } from './entities/passkey.entity.js';
import {
  EmailNotVerifiedError,
  PasskeyLimitError,
  PasskeyNotFoundError,
  PasskeyRejectedError,
} from './mfa.errors.js';
import { SecondFactorsRepository } from './second-factors.repository.js';
import { challengeOf, WebAuthnRelyingParty } from './webauthn-relying-party.js';

/**
 * An account's passkeys (WebAuthn Level 3, discoverable credentials with user verification):
 * adding one, listing, renaming and removing them. The ceremonies are `WebAuthnRelyingParty`'s;
 * signing in with one is `PasskeySignIn`'s. Every challenge is single use and expires
 * (MfaChallenges). A passkey signs in on its own: something you have, unlocked by something you
 * know or are.
 */
@Injectable()
export class PasskeysService {
  private readonly logger = new Logger('Passkeys');

  constructor(
    private readonly relyingParty: WebAuthnRelyingParty,
    private readonly users: UsersService,
    private readonly credentials: CredentialChecks,
    private readonly challenges: MfaChallenges,
    private readonly factors: SecondFactorsRepository,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly notices: SecurityNotices,
  ) {}

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
    const options = await this.relyingParty.registrationOptions(user, existing);
    await this.challenges.issue('passkey-registration', user.id, { token: options.challenge });
    return options;
  }

  async register(principal: Principal, response: RegistrationResponseJSON, name?: string): Promise<Passkey> {
    const challenge = challengeOf(response.response.clientDataJSON);
    const issued = challenge && (await this.challenges.peek('passkey-registration', challenge));
    if (!challenge || !issued || issued.userId !== principal.userId)
      throw new PasskeyRejectedError('its challenge is unknown, expired or used');
    const { credential, credentialDeviceType, credentialBackedUp } =
      await this.relyingParty.verifyRegistration(response, challenge);
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
