import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, Repository } from 'typeorm';
import type { KeysetPosition } from '../common/pagination/keyset-cursor.js';
import { DatabasePool, type PreparedStatement } from '../database/database-pool.js';
import { ReplicaReads } from '../database/replica-reads.js';
import type { Transaction } from '../database/transactions.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { User, type UserRole } from './entities/user.entity.js';
import { canonicalEmail } from './email-address.js';
import { UserColumns } from './user-columns.js';
import { EmailTakenError } from './users.errors.js';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role: UserRole;
  createdAt: Date;
}
export type UserChanges = Partial<
  Pick<
    User,
    | 'name'
    | 'role'
    | 'passwordHash'
    | 'emailVerified'
    | 'status'
    | 'suspendedAt'
    | 'suspensionReason'
    | 'totpEnabled'
    | 'passkeyCount'
  >
>;

/** The advisory lock every change that could leave no active admin takes (0x67617465: "gate"). */
const ADMINS_LOCK = 0x67617465;

/**
 * The SQL of the `users` table, which only the users module writes. TypeORM's repository by
 * default; the two reads every request or login makes (by id, by email) and the list are prepared
 * statements over `UserColumns` (bench/README.md), the list on a replica when there is one.
 * Addresses are matched by their canonical form, computed in JavaScript (email-address.ts), which
 * the unique index covers.
 */
@Injectable()
export class UsersRepository {
  private readonly byId: PreparedStatement;
  private readonly byEmail: PreparedStatement;

  constructor(
    @InjectRepository(User) private readonly repository: Repository<User>,
    private readonly pool: DatabasePool,
    private readonly replicas: ReplicaReads,
    private readonly columns: UserColumns,
  ) {
    const select = `SELECT ${columns.select('u')} FROM users u`;
    this.byId = { name: 'users_find_by_id', text: `${select} WHERE u.id = $1` };
    this.byEmail = { name: 'users_find_by_email', text: `${select} WHERE u.email_canonical = $1` };
  }

  /** The repository, or its view inside the caller's transaction. */
  private users(transaction?: Transaction): Repository<User> {
    return transaction?.getRepository(User) ?? this.repository;
  }

  /** Inserts, or throws `EmailTakenError` when the unique index on the canonical address refuses it. */
  async insert(input: NewUser, transaction?: Transaction): Promise<User> {
    const users = this.users(transaction);
    const user = users.create({
      ...input,
      emailCanonical: canonicalEmail(input.email),
      updatedAt: input.createdAt,
      // Written, not left to defaults: the user returned is complete without reading it back.
      emailVerified: false,
      status: 'active',
      suspendedAt: null,
      suspensionReason: null,
    });
    try {
      // insert() fills in what the database made (id, defaults), without reading the row back.
      await users.insert(user);
      return user;
    } catch (error) {
      throw isUniqueViolation(error) ? new EmailTakenError() : error;
    }
  }

  async findById(id: string): Promise<User | null> {
    const [row] = await this.pool.prepared(this.byId, [id]);
    return row ? this.columns.toUser(row) : null;
  }

  /** The account of an address, however it is spelled. */
  async findByEmail(email: string): Promise<User | null> {
    const [row] = await this.pool.prepared(this.byEmail, [canonicalEmail(email)]);
    return row ? this.columns.toUser(row) : null;
  }

  /** The account of an address, its row locked until the transaction ends. */
  findByEmailForUpdate(email: string, transaction: Transaction): Promise<User | null> {
    return this.users(transaction).findOne({
      where: { emailCanonical: canonicalEmail(email) },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** The user, its row locked until the transaction ends (changes that depend on what it holds now). */
  findForUpdate(id: string, transaction: Transaction): Promise<User | null> {
    return this.users(transaction).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** One page, newest first, after `position` when given; fetches `limit` rows plus one. */
  async findPage(options: { after?: KeysetPosition; limit: number; search?: string }): Promise<User[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.after) {
      params.push(options.after.createdAt, options.after.id);
      where.push(`(u.created_at, u.id) < ($${params.length - 1}, $${params.length})`);
    }
    if (options.search) {
      const prefix = (text: string) => `${text.replace(/[\\%_]/g, '\\$&')}%`;
      params.push(prefix(canonicalEmail(options.search)), prefix(options.search));
      const [email, name] = [params.length - 1, params.length];
      where.push(
        `(u.email_canonical LIKE $${email} ESCAPE '\\' OR lower(u.name) LIKE lower($${name}) ESCAPE '\\')`,
      );
    }
    params.push(options.limit + 1);
    // Four statements in all, each named after the filters it has: its text depends on nothing else.
    const page: PreparedStatement = {
      name: `users_page${options.after ? '_after' : ''}${options.search ? '_search' : ''}`,
      text: `SELECT ${this.columns.select('u')} FROM users u ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY u.created_at DESC, u.id DESC LIMIT $${params.length}`,
    };
    // A list may lag the primary by a moment: a replica's, when there is one.
    const rows = await this.replicas.prepared(page, params);
    return rows.map((row) => this.columns.toUser(row));
  }

  /**
   * Moves the account to another address at `now`, counted as verified; false when there is no
   * user with this id, `EmailTakenError` when another account has the address.
   */
  async changeEmail(id: string, email: string, now: Date, transaction?: Transaction): Promise<boolean> {
    const changes = { email, emailCanonical: canonicalEmail(email), emailVerified: true, updatedAt: now };
    try {
      const { affected } = await this.users(transaction).update({ id }, changes);
      return (affected ?? 0) > 0;
    } catch (error) {
      throw isUniqueViolation(error) ? new EmailTakenError() : error;
    }
  }

  /** Applies the changes at `now`; false when there is no user with this id. */
  async update(id: string, changes: UserChanges, now: Date, transaction?: Transaction): Promise<boolean> {
    const { affected } = await this.users(transaction).update({ id }, { ...changes, updatedAt: now });
    return (affected ?? 0) > 0;
  }

  /**
   * Deletes at most `limit` accounts (role `user`) whose address was never verified and that were
   * made before `createdBefore`, oldest first; their ids. Skips rows another transaction holds.
   */
  async deleteUnverified(createdBefore: Date, limit: number, transaction: Transaction): Promise<string[]> {
    const deleted = await this.users(transaction)
      .createQueryBuilder()
      .delete()
      .where(
        `id IN (SELECT id FROM users WHERE email_verified = false AND role = 'user' AND created_at < :createdBefore
                ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED)`,
        { createdBefore, limit },
      )
      .returning('id')
      .execute();
    return (deleted.raw as { id: string }[]).map((row) => row.id);
  }

  /** True when a user was deleted (their sessions and tokens go with them: foreign keys cascade). */
  async delete(id: string, transaction?: Transaction): Promise<boolean> {
    const { affected } = await this.users(transaction).delete({ id });
    return (affected ?? 0) > 0;
  }

  /**
   * Holds, until `transaction` ends, the lock that every demotion, suspension and deletion of an
   * admin takes before counting the admins left: two admins demoting each other at once queue up,
   * and the second counts after the first's change (READ COMMITTED reads what committed before it).
   */
  async lockAdmins(transaction: Transaction): Promise<void> {
    await transaction.query('SELECT pg_advisory_xact_lock($1)', [ADMINS_LOCK]);
  }

  /** Active admins other than `id`. */
  countOtherActiveAdmins(id: string, transaction: Transaction): Promise<number> {
    return this.users(transaction).countBy({ role: 'admin', status: 'active', id: Not(id) });
  }
}
