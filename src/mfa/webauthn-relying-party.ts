import { Inject, Injectable } from '@nestjs/common';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { MFA_CHALLENGE_TTL_SECONDS } from '../auth/mfa-challenges.js';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import type { User } from '../users/entities/user.entity.js';
import type { Passkey } from './entities/passkey.entity.js';
import { PasskeyRejectedError } from './mfa.errors.js';

/** The challenge a WebAuthn response signed, read from its client data (verified again by the library). */
export function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const { challenge } = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    return typeof challenge === 'string' && /^[\w-]{16,200}$/.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/** A passkey's user handle: the account's id as its 16 bytes. */
const userHandleOf = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');

/**
 * Gatehouse as a WebAuthn relying party, through @simplewebauthn/server: APP_PUBLIC_URL's host is
 * the RP id and its origin the only origin accepted; user verification is always required. The
 * ceremonies' options and the verification of their answers; what they are for is the callers'.
 */
@Injectable()
export class WebAuthnRelyingParty {
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
  ) {
    const url = new URL(app.publicUrl);
    this.rpId = url.hostname;
    this.origin = url.origin;
  }

  /** Options for a discoverable credential of `user`, excluding the passkeys it has. */
  async registrationOptions(
    user: User,
    existing: Passkey[],
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { generateRegistrationOptions } = await this.webauthn();
    return generateRegistrationOptions({
      rpName: this.auth.mfaIssuer,
      rpID: this.rpId,
      userName: user.email,
      userDisplayName: user.name,
      userID: userHandleOf(user.id),
      timeout: MFA_CHALLENGE_TTL_SECONDS * 1000,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({
        id: passkey.credentialId,
        transports: passkey.transports,
      })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  }

  /** The new credential, or `PasskeyRejectedError` saying why it did not verify. */
  async verifyRegistration(response: RegistrationResponseJSON, challenge: string) {
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
    return verification.registrationInfo;
  }

  /** For a discoverable credential: no user is named, so nothing is told about any account. */
  async authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { generateAuthenticationOptions } = await this.webauthn();
    return generateAuthenticationOptions({
      rpID: this.rpId,
      userVerification: 'required',
      timeout: MFA_CHALLENGE_TTL_SECONDS * 1000,
    });
  }

  /**
   * The passkey's new signature counter when the assertion verifies for this passkey of `user`
   * (signature, origin, RP id, user verification, a counter that moved forward, the user handle);
   * undefined when it does not.
   */
  async verifyAuthentication(
    response: AuthenticationResponseJSON,
    challenge: string,
    passkey: Passkey,
    user: User,
  ): Promise<number | undefined> {
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
    const sameUser = userHandle === undefined || userHandle === userHandleOf(user.id).toString('base64url');
    return verification.verified && sameUser ? verification.authenticationInfo.newCounter : undefined;
  }

  private webauthn(): Promise<typeof import('@simplewebauthn/server')> {
    return (this.library ??= import('@simplewebauthn/server'));
  }
}
