import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { sqlList } from '../../database/sql-list.js';
import { Organization } from '../../organizations/entities/organization.entity.js';
import { User } from '../../users/entities/user.entity.js';
import { IP_ADDRESS_MAX_LENGTH, USER_AGENT_MAX_LENGTH } from '../../common/http/client-info.js';

/** What can complete a sign-in whose password was right (`POST /auth/login/mfa`, or a passkey). */
export const SECOND_FACTOR_METHODS = ['totp', 'recovery-code', 'passkey'] as const;
export type SecondFactorMethod = (typeof SECOND_FACTOR_METHODS)[number];

/** One login: alive until logout, expiry (absolute or idle), reuse of a spent refresh token, or deletion. */
@Entity({ name: 'sessions' })
@Check('sessions_second_factor_check', `second_factor IN (${sqlList(SECOND_FACTOR_METHODS)})`)
@Index('sessions_user_id_idx', ['userId'])
// The retention job finds ended sessions by either end (sessions-retention.ts).
@Index('sessions_expires_at_idx', ['expiresAt'])
@Index('sessions_last_used_at_idx', ['lastUsedAt'])
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'sessions_user_id_fkey' })
  user?: User;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** Moved at login and on every refresh (not per request); idle longer than AUTH_SESSION_IDLE_TTL, it ends. */
  @Column({ name: 'last_used_at', type: 'timestamptz', precision: 3 })
  lastUsedAt: Date;

  /** Absolute end: AUTH_REFRESH_TOKEN_TTL after login. */
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;

  /** The `User-Agent` of the last login or refresh, cut to USER_AGENT_MAX_LENGTH; null when none was sent. */
  @Column({ name: 'user_agent', type: 'varchar', length: USER_AGENT_MAX_LENGTH, nullable: true })
  userAgent: string | null;

  /**
   * The client address of the last login or refresh, as TRUST_PROXY decides it. Text, not `inet`:
   * an IPv6 address may carry a zone (`fe80::1%eth0`), which PostgreSQL's `inet` refuses.
   */
  @Column({ name: 'ip_address', type: 'varchar', length: IP_ADDRESS_MAX_LENGTH, nullable: true })
  ipAddress: string | null;

  /**
   * When the holder last proved who they are in this session: the sign-in, then each
   * `POST /auth/reauthenticate`. Within AUTH_REAUTHENTICATION_WINDOW of it, the session may do what
   * weakens the account (docs/security-model.md, I2).
   */
  @Column({ name: 'authenticated_at', type: 'timestamptz', precision: 3 })
  authenticatedAt: Date;

  /** The second factor the sign-in used (`passkey`: the passkey alone), or null for a password alone. */
  @Column({ name: 'second_factor', type: 'varchar', length: 16, nullable: true })
  secondFactor: SecondFactorMethod | null;

  /**
   * The organization the session selected (`PUT /auth/sessions/current/organization`): its access
   * tokens carry `org_id` and `org_role` while the account is a member. Cleared with the organization.
   */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @ManyToOne(() => Organization, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'sessions_organization_id_fkey' })
  organization?: Organization;
}
