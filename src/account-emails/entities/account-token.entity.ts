import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { sqlList } from '../../database/sql-list.js';
import { User } from '../../users/entities/user.entity.js';
import { EMAIL_MAX_LENGTH } from '../../common/http/text-fields.js';

export const ACCOUNT_TOKEN_PURPOSES = ['verify-email', 'reset-password', 'change-email'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * The token behind a link in an account email: single use, expiring, bound to its user. Only its
 * SHA-256 is stored. `bound_to` is the SHA-256 of what the token vouches for (the email address it
 * was sent to; the password hash it may replace), so a token dies when that changes. An email-change
 * token also carries the address it moves the account to, and the session that asked for it.
 */
@Entity({ name: 'account_tokens' })
@Check('account_tokens_purpose_check', `purpose IN (${sqlList(ACCOUNT_TOKEN_PURPOSES)})`)
// Only an email change has a new address, and it always has one.
@Check('account_tokens_new_email_check', `(purpose = 'change-email') = (new_email IS NOT NULL)`)
@Index('account_tokens_user_id_idx', ['userId'])
// The retention job deletes expired tokens, oldest first.
@Index('account_tokens_expires_at_idx', ['expiresAt'])
export class AccountToken {
  @PrimaryColumn({ name: 'token_hash', type: 'bytea' })
  tokenHash: Buffer;

  @Column({ type: 'varchar', length: 32 })
  purpose: AccountTokenPurpose;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'account_tokens_user_id_fkey' })
  user?: User;

  @Column({ name: 'bound_to', type: 'bytea' })
  boundTo: Buffer;

  /** The address an email-change token moves the account to (as typed: trimmed, NFC). */
  @Column({ name: 'new_email', type: 'varchar', length: EMAIL_MAX_LENGTH, nullable: true })
  newEmail?: string | null;

  /**
   * The session that asked for an email change: it stays signed in when the change is confirmed, and
   * every other session ends. Not a foreign key: a session that ended meanwhile simply is not kept.
   */
  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId?: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;
}
