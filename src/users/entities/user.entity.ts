import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { sqlList } from '../../database/sql-list.js';
import { EMAIL_MAX_LENGTH } from '../../common/http/text-fields.js';

export const USER_ROLES = ['user', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
/** `suspended`: an admin stopped the account; it cannot sign in, refresh or reset its password. */
export const USER_STATUSES = ['active', 'suspended'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
export const SUSPENSION_REASON_MAX_LENGTH = 500;

@Entity({ name: 'users' })
@Check('users_role_check', `role IN (${sqlList(USER_ROLES)})`)
@Check('users_status_check', `status IN (${sqlList(USER_STATUSES)})`)
// A suspension always has its time and reason; an active account has neither.
@Check(
  'users_suspension_check',
  `(status = 'suspended') = (suspended_at IS NOT NULL AND suspension_reason IS NOT NULL)`,
)
// One account per canonical address, whatever its spelling (email-address.ts).
@Index('users_email_canonical_key', ['emailCanonical'], { unique: true })
// Keyset pagination walks this index newest first.
@Index('users_created_at_id_idx', ['createdAt', 'id'])
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** As the user typed it (trimmed, NFC): what mail is sent to and what the account shows. */
  @Column({ type: 'varchar', length: EMAIL_MAX_LENGTH })
  email: string;

  /** `canonicalEmail(email)`: what the account is found by, and unique. Never shown. */
  @Column({ name: 'email_canonical', type: 'text' })
  emailCanonical: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role: UserRole;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: UserStatus;

  @Column({ name: 'suspended_at', type: 'timestamptz', precision: 3, nullable: true })
  suspendedAt: Date | null;

  /**
   * Links mailed before this time no longer work (account-emails binds each link to it): set by a
   * suspension, so that an unsuspension does not bring old links back (docs/security-model.md, I5).
   */
  @Column({ name: 'links_revoked_at', type: 'timestamptz', precision: 3, nullable: true })
  linksRevokedAt: Date | null;

  /** The admin's words, for the admins who come after: shown to admins, never to the user's sign-in. */
  @Column({
    name: 'suspension_reason',
    type: 'varchar',
    length: SUSPENSION_REASON_MAX_LENGTH,
    nullable: true,
  })
  suspensionReason: string | null;

  /**
   * Whether a confirmed authenticator app guards the account, and how many passkeys it has: kept by
   * the MFA module (`UsersService.setSecondFactors`, in the transaction of the factor's change), so
   * that a login and a profile read see them in the row they already read.
   */
  @Column({ name: 'totp_enabled', type: 'boolean', default: false })
  totpEnabled: boolean;

  @Column({ name: 'passkey_count', type: 'integer', default: 0 })
  passkeyCount: number;

  /**
   * Set from the injected Clock, like every time the app stores. Millisecond precision, the precision
   * of a JavaScript Date, so a cursor round-trips exactly.
   */
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** Moved by every change, from the injected Clock. */
  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
