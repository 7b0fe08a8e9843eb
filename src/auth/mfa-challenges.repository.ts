import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import type { Transaction } from '../database/transactions.js';
import { MfaChallenge, type MfaChallengePurpose } from './entities/mfa-challenge.entity.js';

/** The SQL of `mfa_challenges`: spending one is a single DELETE, so exactly one of many spends wins. */
@Injectable()
export class MfaChallengesRepository {
  constructor(@InjectRepository(MfaChallenge) private readonly challenges: Repository<MfaChallenge>) {}

  async create(challenge: MfaChallenge, transaction?: Transaction): Promise<void> {
    await (transaction?.getRepository(MfaChallenge) ?? this.challenges).insert(challenge);
  }

  /** A live challenge of this purpose, without spending it. */
  findLive(tokenHash: Buffer, purpose: MfaChallengePurpose, now: Date): Promise<MfaChallenge | null> {
    return this.challenges.findOneBy({ tokenHash, purpose, expiresAt: MoreThan(now) });
  }

  /** Spends a live challenge: false when it was not there (spent, expired, never issued). */
  async spend(
    tokenHash: Buffer,
    purpose: MfaChallengePurpose,
    now: Date,
    transaction?: Transaction,
  ): Promise<boolean> {
    const { affected } = await (transaction?.getRepository(MfaChallenge) ?? this.challenges)
      .createQueryBuilder()
      .delete()
      .where('token_hash = :tokenHash AND purpose = :purpose AND expires_at > :now', {
        tokenHash,
        purpose,
        now,
      })
      .execute();
    return affected === 1;
  }

  /** Counts a wrong code; at `limit` failures the challenge is spent. Returns the failures so far. */
  async fail(tokenHash: Buffer, limit: number, transaction?: Transaction): Promise<number> {
    const challenges = transaction?.getRepository(MfaChallenge) ?? this.challenges;
    const [rows]: [{ failures: number }[], number] = await challenges.query(
      'UPDATE mfa_challenges SET failures = failures + 1 WHERE token_hash = $1 RETURNING failures',
      [tokenHash],
    );
    const failures = rows[0]?.failures ?? limit;
    if (failures >= limit) await challenges.delete({ tokenHash });
    return failures;
  }

  /** Forgets the user's pending challenges (their factors changed). */
  async deleteAllOf(userId: string, transaction: Transaction): Promise<void> {
    await transaction.delete(MfaChallenge, { userId });
  }

  /** Deletes up to `limit` expired challenges, the oldest first; returns how many. */
  async purgeExpired(now: Date, limit: number): Promise<number> {
    const { affected } = await this.challenges
      .createQueryBuilder()
      .delete()
      .where(
        `token_hash IN (SELECT token_hash FROM mfa_challenges WHERE expires_at < :now
                        ORDER BY expires_at LIMIT :limit)`,
        { now, limit },
      )
      .execute();
    return affected ?? 0;
  }
}
