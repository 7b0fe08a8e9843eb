import { Injectable } from '@nestjs/common';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Principal } from '../access/principal.js';
import type { TokenPair } from '../auth/access-tokens.js';
import { CredentialChecks } from '../auth/credential-checks.js';
import { MfaChallenges } from '../auth/mfa-challenges.js';
import { SignInService } from '../auth/sign-in.service.js';
import { Clock } from '../common/clock.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { InvalidPasskeyError, WrongSecondFactorError } from './mfa.errors.js';
import { SecondFactorsRepository } from './second-factors.repository.js';
import { challengeOf, WebAuthnRelyingParty } from './webauthn-relying-party.js';

/**
 * Proving who one is with a passkey: signing in (a passkey with user verification is both factors)
 * and a signed-in session's reauthentication. Every challenge is single use and expires.
 */
@Injectable()
export class PasskeySignIn {
  constructor(
    private readonly relyingParty: WebAuthnRelyingParty,
    private readonly users: UsersService,
    private readonly credentials: CredentialChecks,
    private readonly signIn: SignInService,
    private readonly challenges: MfaChallenges,
    private readonly factors: SecondFactorsRepository,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
  ) {}

  /** For a discoverable credential: no user is named, so nothing is told about any account. */
  async authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await this.relyingParty.authenticationOptions();
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
    const newCounter = await this.relyingParty.verifyAuthentication(response, challenge, passkey, user);
    if (newCounter === undefined) {
      await failed(user);
      throw new InvalidPasskeyError();
    }
    await this.transactions.run(async (transaction) => {
      if (!(await this.challenges.spend('passkey-authentication', challenge, transaction)))
        throw new InvalidPasskeyError();
      await this.factors.passkeyUsed(passkey.id, newCounter, this.clock.now(), transaction);
      await then?.(user, transaction);
    });
    return user;
  }
}
