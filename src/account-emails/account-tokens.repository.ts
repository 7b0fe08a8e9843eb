import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import type { Transaction } from '../database/transactions.js';
import { AccountToken, type AccountTokenPurpose } from './entities/account-token.entity.js';

/** A token as spending it finds it: whose it is, what it was bound to, and what it carries. */
export type SpentToken = Pick<AccountToken, 'userId' | 'boundTo' | 'newEmail' | 'sessionId'>;

/**
 * The SQL of `account_tokens`, which only this module writes. Spending a token is one statement, so
 * that of many concurrent uses exactly one finds it.
 */
@Injectable()
export class AccountTokensRepository {
  constructor(@InjectRepository(AccountToken) private readonly tokens: Repository<AccountToken>) {}

  /** Stores a token, and forgets its user's expired ones; in the caller's transaction when given. */
  async insert(token: AccountToken, transaction?: Transaction): Promise<void> {
    const store = async (manager: Transaction) => {
      await manager.delete(AccountToken, {
        userId: token.userId,
        expiresAt: LessThanOrEqual(token.createdAt),
      });
      await manager.insert(AccountToken, token);
    };
    await (transaction ? store(transaction) : this.tokens.manager.transaction(store));
  }

  /**
   * The email change asked for at `requestedAt`, while it waits for its link (or its mail was not
   * sent yet); null when it is gone: a later request replaced it, or it was confirmed or purged.
   */
  pendingEmailChange(
    userId: string,
    requestedAt: Date,
  ): Promise<Pick<AccountToken, 'newEmail' | 'boundTo'> | null> {
    return this.tokens.findOne({
      select: { newEmail: true, boundTo: true },
      where: { userId, purpose: 'change-email', createdAt: requestedAt },
    });
  }

  /**
   * Gives the pending email change the hash of its link's token (replacing the request's unusable
   * one, or an earlier attempt's), in one statement; false when the change is gone meanwhile.
   */
  async issueEmailChange(
    userId: string,
    requestedAt: Date,
    tokenHash: Buffer,
    expiresAt: Date,
  ): Promise<boolean> {
    const { affected } = await this.tokens.update(
      { userId, purpose: 'change-email', createdAt: requestedAt },
      { tokenHash, expiresAt },
    );
    return (affected ?? 0) > 0;
  }

  /** Forgets the email change asked for at `requestedAt` (one that cannot go ahead). */
  async discardEmailChange(userId: string, requestedAt: Date): Promise<void> {
    await this.tokens.delete({ userId, purpose: 'change-email', createdAt: requestedAt });
  }

  /** Deletes the user's tokens (of one purpose, when given), in the caller's transaction when given. */
  async deleteAllOf(userId: string, purpose?: AccountTokenPurpose, transaction?: Transaction): Promise<void> {
    const tokens = transaction?.getRepository(AccountToken) ?? this.tokens;
    await tokens.delete(purpose ? { userId, purpose } : { userId });
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
      .returning(['userId', 'boundTo', 'newEmail', 'sessionId'])
      .execute();
    const [row] = raw as {
      user_id: string;
      bound_to: Buffer;
      new_email: string | null;
      session_id: string | null;
    }[];
    return row
      ? { userId: row.user_id, boundTo: row.bound_to, newEmail: row.new_email, sessionId: row.session_id }
      : null;
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
