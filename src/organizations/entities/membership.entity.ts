import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../../access/organization-roles.js';
import { sqlList } from '../../database/sql-list.js';
import { User } from '../../users/entities/user.entity.js';
import { Organization } from './organization.entity.js';

/**
 * An account's place in an organization, with its role there. Deleted with either: the account's
 * deletion is refused first while it is the last owner of an organization with other members.
 */
@Entity({ name: 'memberships' })
@Check('memberships_role_check', `role IN (${sqlList(ORGANIZATION_ROLES)})`)
// The members of an organization in keyset order, oldest first; and one account's organizations.
@Index('memberships_organization_id_created_at_idx', ['organizationId', 'createdAt', 'userId'])
@Index('memberships_user_id_created_at_idx', ['userId', 'createdAt', 'organizationId'])
export class Membership {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'memberships_organization_id_fkey' })
  organization?: Organization;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'memberships_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: 16 })
  role: OrganizationRole;

  /** When the account joined: the keyset order of the member list. */
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
