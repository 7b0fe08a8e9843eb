import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { OrganizationRole } from '../access/organization-roles.js';
import type { KeysetPosition } from '../common/pagination/keyset-cursor.js';
import { DatabasePool, type PreparedStatement } from '../database/database-pool.js';
import { ReplicaReads } from '../database/replica-reads.js';
import { selectColumns } from '../database/select-columns.js';
import type { Transaction } from '../database/transactions.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { UserColumns } from '../users/user-columns.js';
import { Membership } from './entities/membership.entity.js';
import { Organization } from './entities/organization.entity.js';
import { SlugTakenError } from './organizations.errors.js';

/** An organization as one of its members sees it in their list: with their role and when they joined. */
export interface MyOrganization {
  organization: Organization;
  role: OrganizationRole;
  /** The keyset position: when the caller joined, and the organization's id. */
  createdAt: Date;
  id: string;
}

/** A member as the member list shows them: the account's name and address, with the role. */
export interface Member {
  userId: string;
  email: string;
  name: string;
  role: OrganizationRole;
  /** When they joined; with `id` (the user's), the keyset position. */
  createdAt: Date;
  id: string;
}

/** An organization the user owns, as an account's deletion weighs it. */
export interface OwnedOrganization {
  id: string;
  slug: string;
  otherOwners: number;
  otherMembers: number;
}

/**
 * The SQL of `organizations` and `memberships`: TypeORM's API, but for the reads every
 * organization-scoped request and the member list make, which are prepared statements
 * (docs/architecture.md's data-access rule; bench/README.md has the figures).
 */
@Injectable()
export class OrganizationsRepository {
  /** The guard's question, on the primary: a removal must apply to the next request. */
  private readonly roleStatement: PreparedStatement = {
    name: 'memberships_role',
    text: 'SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2',
  };
  /** An organization-scoped read's own row: the organization. */
  private readonly findStatement: PreparedStatement;
  private readonly memberColumns: string;

  constructor(
    @InjectRepository(Organization) organizations: Repository<Organization>,
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    private readonly pool: DatabasePool,
    private readonly replicas: ReplicaReads,
    users: UserColumns,
  ) {
    this.findStatement = {
      name: 'organizations_find',
      text: `SELECT ${selectColumns(organizations.metadata, 'o')} FROM organizations o WHERE o.id = $1`,
    };
    // The member's account through the users module's published projection: reads may cross.
    this.memberColumns = `m.user_id AS "userId", m.role, m.created_at AS "createdAt",
      ${users.column('u', 'email')} AS email, ${users.column('u', 'name')} AS name`;
  }

  async insert(organization: Omit<Organization, 'id'>, transaction: Transaction): Promise<Organization> {
    try {
      const { identifiers } = await transaction.getRepository(Organization).insert(organization);
      return { ...organization, id: identifiers[0].id as string };
    } catch (error) {
      throw isUniqueViolation(error) ? new SlugTakenError() : error;
    }
  }

  async update(
    id: string,
    changes: Partial<Pick<Organization, 'name' | 'slug' | 'updatedAt'>>,
    transaction: Transaction,
  ): Promise<void> {
    try {
      await transaction.getRepository(Organization).update({ id }, changes);
    } catch (error) {
      throw isUniqueViolation(error) ? new SlugTakenError() : error;
    }
  }

  async delete(id: string, transaction: Transaction): Promise<void> {
    await transaction.getRepository(Organization).delete({ id });
  }

  async findById(id: string): Promise<Organization | null> {
    const [found] = await this.pool.prepared<Organization>(this.findStatement, [id]);
    return found ?? null;
  }

  /**
   * The organization, locked until the transaction ends: every change of its memberships takes
   * this lock first, so that two owners demoting each other queue up and the second sees the first.
   */
  findForUpdate(id: string, transaction: Transaction): Promise<Organization | null> {
    return transaction
      .getRepository(Organization)
      .createQueryBuilder('o')
      .setLock('pessimistic_write')
      .where('o.id = :id', { id })
      .getOne();
  }

  /** The guard's question on every organization-scoped request: one primary-key lookup. */
  async roleOf(organizationId: string, userId: string): Promise<OrganizationRole | null> {
    const [found] = await this.pool.prepared<{ role: OrganizationRole }>(this.roleStatement, [
      organizationId,
      userId,
    ]);
    return found?.role ?? null;
  }

  async membershipOf(
    organizationId: string,
    userId: string,
    transaction: Transaction,
  ): Promise<Membership | null> {
    return transaction.getRepository(Membership).findOneBy({ organizationId, userId });
  }

  async addMember(membership: Membership, transaction: Transaction): Promise<void> {
    await transaction.getRepository(Membership).insert(membership);
  }

  async setRole(
    organizationId: string,
    userId: string,
    role: OrganizationRole,
    transaction: Transaction,
  ): Promise<void> {
    await transaction.getRepository(Membership).update({ organizationId, userId }, { role });
  }

  async removeMember(organizationId: string, userId: string, transaction: Transaction): Promise<void> {
    await transaction.getRepository(Membership).delete({ organizationId, userId });
  }

  countOwners(organizationId: string, transaction: Transaction): Promise<number> {
    return transaction.getRepository(Membership).countBy({ organizationId, role: 'owner' });
  }

  /** The user's organizations, the most recently joined first, `limit` after `after`. */
  async listOf(userId: string, after: KeysetPosition | undefined, limit: number): Promise<MyOrganization[]> {
    const query = this.memberships
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.organization', 'o')
      .where('m.user_id = :userId', { userId });
    if (after)
      query.andWhere('(m.created_at, m.organization_id) < (:at, :id)', { at: after.createdAt, id: after.id });
    const rows = await query
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.organization_id', 'DESC')
      .limit(limit)
      .getMany();
    return rows.map((m) => ({
      organization: m.organization!,
      role: m.role,
      createdAt: m.createdAt,
      id: m.organizationId,
    }));
  }

  /**
   * A page of the members, the most recently joined first, along the index on
   * `(organization_id, created_at, user_id)`; `search` narrows to names or addresses containing it.
   * One statement per shape (with or without a search, a cursor), on a replica when there is one.
   */
  membersPage(
    organizationId: string,
    search: string | undefined,
    after: KeysetPosition | undefined,
    limit: number,
  ): Promise<Member[]> {
    const where = ['m.organization_id = $1'];
    const values: unknown[] = [organizationId];
    if (search) {
      values.push(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(u.email ILIKE $${values.length} OR u.name ILIKE $${values.length})`);
    }
    if (after) {
      values.push(after.createdAt, after.id);
      where.push(`(m.created_at, m.user_id) < ($${values.length - 1}, $${values.length})`);
    }
    values.push(limit);
    const statement: PreparedStatement = {
      name: ['members_page', ...(search ? ['search'] : []), ...(after ? ['after'] : [])].join('_'),
      text: `SELECT ${this.memberColumns} FROM memberships m JOIN users u ON u.id = m.user_id
              WHERE ${where.join(' AND ')}
              ORDER BY m.created_at DESC, m.user_id DESC LIMIT $${values.length}`,
    };
    return this.replicas
      .prepared<Omit<Member, 'id'>>(statement, values)
      .then((rows) => rows.map((row) => ({ ...row, id: row.userId })));
  }

  /**
   * The organizations `userId` owns, each locked, with how many other owners and members it has:
   * what deciding on the account's deletion needs.
   */
  async ownedBy(userId: string, transaction: Transaction): Promise<OwnedOrganization[]> {
    const owned = await transaction
      .getRepository(Organization)
      .createQueryBuilder('o')
      .innerJoin(Membership, 'm', 'm.organization_id = o.id AND m.user_id = :userId AND m.role = :owner', {
        userId,
        owner: 'owner',
      })
      .setLock('pessimistic_write', undefined, ['o'])
      .orderBy('o.id')
      .getMany();
    if (owned.length === 0) return [];
    // The other members of each, counted in one statement (grouped), not one per organization.
    const counts = await transaction
      .getRepository(Membership)
      .createQueryBuilder('m')
      .select('m.organization_id', 'id')
      .addSelect('count(*) FILTER (WHERE m.role = :owner)', 'owners')
      .addSelect('count(*)', 'members')
      .where('m.organization_id IN (:...ids) AND m.user_id <> :userId', {
        ids: owned.map((o) => o.id),
        userId,
        owner: 'owner',
      })
      .groupBy('m.organization_id')
      .getRawMany<{ id: string; owners: string; members: string }>();
    const byId = new Map(counts.map((row) => [row.id, row]));
    return owned.map((organization) => ({
      id: organization.id,
      slug: organization.slug,
      otherOwners: Number(byId.get(organization.id)?.owners ?? 0),
      otherMembers: Number(byId.get(organization.id)?.members ?? 0),
    }));
  }
}
