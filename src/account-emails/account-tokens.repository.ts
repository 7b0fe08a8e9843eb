import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { User } from '../users/entities/user.entity.js';
import { userFromRow, USER_COLUMNS, type UserRow } from '../users/user-row.js';
import type { AccountTokenPurpose } from './entities/account-token.entity.js';

/** What each kind of token vouches for, as SQL over the user `u`: when it changes, the token dies. */
const BINDING: Record<AccountTokenPurpose, string> = {
  'verify-email': `sha256(convert_to(lower(u.email), 'UTF8'))`,
  'reset-password': `sha256(convert_to(u.password_hash, 'UTF8'))`,
};

/** A token is usable when it exists, has not expired and still matches what it was bound to. */
const USABLE = (purpose: AccountTokenPurpose) =>
  `t.token_hash = $1 AND t.purpose = '${purpose}' AND t.expires_at > $2 AND t.user_id = u.id AND t.bound_to = ${BINDING[purpose]}`;

/**
 * The SQL of account tokens. Spending a token and applying what it allows is one statement, so that
 * of many concurrent uses exactly one succeeds and nothing is half done.
 */
@Injectable()
export class AccountTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a token for the user, bound to what it vouches for, and forgets their expired ones. */
  async insert(purpose: AccountTokenPurpose, userId: string, hash: Buffer, now: Date, expiresAt: Date) {
    await this.dataSource.query(
      `WITH forgotten AS (DELETE FROM account_tokens WHERE user_id = $3 AND expires_at <= $4)
       INSERT INTO account_tokens (token_hash, purpose, user_id, bound_to, created_at, expires_at)
       SELECT $1, $2, u.id, ${BINDING[purpose]}, $4, $5 FROM users u WHERE u.id = $3`,
      [hash, purpose, userId, now, expiresAt],
    );
  }

  async delete(hash: Buffer): Promise<void> {
    await this.dataSource.query('DELETE FROM account_tokens WHERE token_hash = $1', [hash]);
  }

  /** The user a usable token belongs to, without spending it. */
  async findHolder(purpose: AccountTokenPurpose, hash: Buffer, now: Date): Promise<User | null> {
    const rows: UserRow[] = await this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM account_tokens t JOIN users u ON ${USABLE(purpose)}`,
      [hash, now],
    );
    return rows.length === 0 ? null : userFromRow(rows[0]);
  }

  /** Spends a verification token and marks the email verified; the user's id, or null. */
  async verifyEmail(hash: Buffer, now: Date): Promise<string | null> {
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH spent AS (
         DELETE FROM account_tokens t USING users u WHERE ${USABLE('verify-email')} RETURNING t.user_id
       ), verified AS (
         UPDATE users SET email_verified = true, updated_at = $2 WHERE id = (SELECT user_id FROM spent) RETURNING id
       )
       SELECT id FROM verified`,
      [hash, now],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Spends a reset token: sets the new password hash, ends every session, and marks the email
   * verified (the link proved the user reads it). The user's id, or null.
   */
  async resetPassword(hash: Buffer, passwordHash: string, now: Date): Promise<string | null> {
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH spent AS (
         DELETE FROM account_tokens t USING users u WHERE ${USABLE('reset-password')} RETURNING t.user_id
       ), changed AS (
         UPDATE users SET password_hash = $3, email_verified = true, updated_at = $2
          WHERE id = (SELECT user_id FROM spent) RETURNING id
       ), ended AS (
         DELETE FROM sessions WHERE user_id = (SELECT id FROM changed)
       )
       SELECT id FROM changed`,
      [hash, now, passwordHash],
    );
    return rows[0]?.id ?? null;
  }
}
