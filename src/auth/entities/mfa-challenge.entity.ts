import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { sqlList } from '../../database/sql-list.js';
import { User } from '../../users/entities/user.entity.js';

/**
 * `login`: a password was right and a second factor is due (the `mfaToken`); the WebAuthn ones: a
 * challenge a passkey must sign. Each is single use and short-lived.
 */
export const MFA_CHALLENGE_PURPOSES = ['login', 'passkey-registration', 'passkey-authentication'] as const;
export type MfaChallengePurpose = (typeof MFA_CHALLENGE_PURPOSES)[number];

@Entity({ name: 'mfa_challenges' })
@Check('mfa_challenges_purpose_check', `purpose IN (${sqlList(MFA_CHALLENGE_PURPOSES)})`)
@Index('mfa_challenges_expires_at_idx', ['expiresAt'])
export class MfaChallenge {
  /** SHA-256 of the token or challenge the client holds: the database alone answers none. */
  @PrimaryColumn({ name: 'token_hash', type: 'bytea' })
  tokenHash: Buffer;

  @Column({ type: 'varchar', length: 32 })
  purpose: MfaChallengePurpose;

  /** Null for a passkey sign-in's challenge: whose passkey will answer is not known yet. */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'mfa_challenges_user_id_fkey' })
  user?: User;

  /** Wrong codes against a login challenge; the fifth spends it. */
  @Column({ type: 'integer', default: 0 })
  failures: number;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
