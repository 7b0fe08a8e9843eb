import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../../access/organization-roles.js';
import { EMAIL_MAX_LENGTH } from '../../common/http/text-fields.js';
import { sqlList } from '../../database/sql-list.js';
import { User } from '../../users/entities/user.entity.js';
import { Organization } from './organization.entity.js';

/**
 * An address asked to join an organization with a role. One per address and organization (asking
 * again replaces it); deleted when accepted or revoked. Its token exists only in the mail: the job
 * that sends it stores the token's SHA-256 here, and each attempt replaces it.
 */
@Entity({ name: 'invitations' })
@Check('invitations_role_check', `role IN (${sqlList(ORGANIZATION_ROLES)})`)
@Index('invitations_organization_id_email_key', ['organizationId', 'emailCanonical'], { unique: true })
@Index('invitations_organization_id_created_at_idx', ['organizationId', 'createdAt', 'id'])
@Index('invitations_token_hash_key', ['tokenHash'], { unique: true })
export class Invitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'invitations_organization_id_fkey' })
  organization?: Organization;

  /** As the inviter typed it: where the mail goes. */
  @Column({ type: 'varchar', length: EMAIL_MAX_LENGTH })
  email: string;

  /** Compared with the accepting account's canonical address (users/email-address.ts). */
  @Column({ name: 'email_canonical', type: 'varchar', length: EMAIL_MAX_LENGTH })
  emailCanonical: string;

  @Column({ type: 'varchar', length: 16 })
  role: OrganizationRole;

  @Column({ name: 'invited_by', type: 'uuid', nullable: true })
  invitedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invited_by', foreignKeyConstraintName: 'invitations_invited_by_fkey' })
  inviter?: User;

  @Column({ name: 'token_hash', type: 'bytea', nullable: true, select: false })
  tokenHash: Buffer | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;
}
