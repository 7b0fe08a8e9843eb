import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import type { Transaction } from '../database/transactions.js';
import { AccountToken, type AccountTokenPurpose } from './entities/account-token.entity.js';

/** A token as spending it finds it: whose it is, and what it was bound to. */
export type SpentToken = Pick<AccountToken, 'userId' | 'boundTo'>;

/**
 * The SQL of `account_tokens`, which only this module writes. Spending a token is one statement, so
 * that of many concurrent uses exactly one finds it.
 */
@Injectable()
export class AccountTokensRepository {
  constructor(@InjectRepository(AccountToken) private readonly tokens: Repository<AccountToken>) {}

  /** Stores a token, and forgets its user's expired ones. */
  async insert(token: AccountToken): Promise<void> {
    await this.tokens.manager.transaction(async (transaction) => {
      await transaction.delete(AccountToken, {
        userId: token.userId,
        expiresAt: LessThanOrEqual(token.createdAt),
      });
      await transaction.insert(AccountToken, token);
    });
  }

  async delete(hash: Buffer): Promise<void> {
    await this.tokens.delete({ tokenHash: hash });
  }

  /** A token of this purpose that has not expired, without spending it. */
  findUsable(purpose: AccountTokenPurpose, hash: Buffer, now: Date): Promise<AccountToken | null> {
    return this.tokens.findOneBy({ tokenHash: hash, purpose, expiresAt: MoreThan(now) });
  }

  /** Deletes a usable token in the caller's transaction and says whose it was; null when there is none. */
  async spend(
    purpose: AccountTokenPurpose,
    hash: Buffer,
    now: Date,
    transaction: Transaction,
  ): Promise<SpentToken | null> {
    const { raw } = await transaction
      .createQueryBuilder()
      .delete()
      .from(AccountToken)
      .where('token_hash = :hash AND purpose = :purpose AND expires_at > :now', { hash, purpose, now })
      .returning(['userId', 'boundTo'])
      .execute();
    const [row] = raw as { user_id: string; bound_to: Buffer }[];
    return row ? { userId: row.user_id, boundTo: row.bound_to } : null;
  }

  /** Deletes at most `limit` expired tokens, the oldest first (spent ones are deleted when spent). */
  async purgeExpired(now: Date, limit: number): Promise<number> {
    const { affected } = await this.tokens
      .createQueryBuilder()
      .delete()
      .where(
        `token_hash IN (SELECT token_hash FROM account_tokens WHERE expires_at <= :now
                        ORDER BY expires_at LIMIT :limit)`,
        { now, limit },
      )
      .execute();
    return affected ?? 0;
  }
}
