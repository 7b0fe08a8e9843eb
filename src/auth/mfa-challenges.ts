import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { hashOpaqueToken, newOpaqueToken } from '../common/opaque-tokens.js';
import type { Transaction } from '../database/transactions.js';
import type { MfaChallengePurpose } from './entities/mfa-challenge.entity.js';
import { MfaChallengesRepository } from './mfa-challenges.repository.js';

/** How long a client has to answer: enough to find a phone, short enough to be worth little. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;
/** Wrong codes a login challenge takes before it is spent (the address's lock counts them too). */
export const MFA_CHALLENGE_MAX_FAILURES = 5;

/**
 * The single-use, short-lived challenges of a sign-in's second step (`mfaToken`) and of WebAuthn
 * (the challenge a passkey signs). The client holds the token; only its SHA-256 is stored.
 */
@Injectable()
export class MfaChallenges {
  constructor(
    private readonly challenges: MfaChallengesRepository,
    private readonly clock: Clock,
  ) {}

  /** A new challenge; `token` is the WebAuthn challenge when the caller made one, else a new opaque token. */
  async issue(
    purpose: MfaChallengePurpose,
    userId: string | null,
    { token, transaction }: { token?: string; transaction?: Transaction } = {},
  ): Promise<string> {
    const issued = token ?? newOpaqueToken().token;
    const now = this.clock.now();
    await this.challenges.create(
      {
        tokenHash: hashOpaqueToken(issued),
        purpose,
        userId,
        failures: 0,
        expiresAt: new Date(now.getTime() + MFA_CHALLENGE_TTL_SECONDS * 1000),
        createdAt: now,
      },
      transaction,
    );
    return issued;
  }

  /** The user a live challenge was issued for (null: anonymous), without spending it; undefined when none. */
  async peek(purpose: MfaChallengePurpose, token: string): Promise<{ userId: string | null } | undefined> {
    const found = await this.challenges.findLive(hashOpaqueToken(token), purpose, this.clock.now());
    return found ? { userId: found.userId } : undefined;
  }

  /** Spends a live challenge; false when it was not there (spent, expired, never issued). */
  spend(purpose: MfaChallengePurpose, token: string, transaction?: Transaction): Promise<boolean> {
    return this.challenges.spend(hashOpaqueToken(token), purpose, this.clock.now(), transaction);
  }

  /** Counts a wrong code against a login challenge; the fifth spends it. */
  async failed(token: string, transaction?: Transaction): Promise<void> {
    await this.challenges.fail(hashOpaqueToken(token), MFA_CHALLENGE_MAX_FAILURES, transaction);
  }

  /** The user's factors changed: a challenge issued before does not carry over. */
  forgetAllOf(userId: string, transaction: Transaction): Promise<void> {
    return this.challenges.deleteAllOf(userId, transaction);
  }
}
