import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

/**
 * A user's authenticator app: one per account. Set up (unconfirmed) until the first right code
 * confirms it; only then does login ask for a code.
 */
@Entity({ name: 'totp_factors' })
export class TotpFactor {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'totp_factors_user_id_fkey' })
  user?: User;

  /** The RFC 6238 secret, sealed with AUTH_MFA_ENCRYPTION_KEY (secret-box.ts): never stored in clear. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed: string;

  @Column({ name: 'confirmed_at', type: 'timestamptz', precision: 3, nullable: true })
  confirmedAt: Date | null;

  /**
   * The 30-second step of the last code accepted: a code of this step or an earlier one is refused,
   * so each code works once (RFC 6238 §5.2).
   */
  @Column({ name: 'last_used_step', type: 'integer', nullable: true })
  lastUsedStep: number | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
