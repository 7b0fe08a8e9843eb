import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ORGANIZATION_NAME_MAX_LENGTH = 100;
export const ORGANIZATION_SLUG_MAX_LENGTH = 48;
/** Lower-case letters, digits and single hyphens between them: safe in a URL and a subdomain. */
export const ORGANIZATION_SLUG = '^[a-z0-9]+(-[a-z0-9]+)*$';

/** A team of accounts (src/organizations/): its members hold a role in it (memberships). */
@Entity({ name: 'organizations' })
@Index('organizations_slug_key', ['slug'], { unique: true })
export class Organization {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: ORGANIZATION_NAME_MAX_LENGTH })
  name: string;

  /** Unique and chosen by its owners; deleting the organization asks for it as a confirmation. */
  @Column({ type: 'varchar', length: ORGANIZATION_SLUG_MAX_LENGTH })
  slug: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
