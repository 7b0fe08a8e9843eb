import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository, type EntityManager } from 'typeorm';
import type { KeysetPosition } from '../common/pagination/keyset-cursor.js';
import { PreparedQueries, type PreparedStatement } from '../database/prepared-queries.js';
import { User, type UserRole } from './entities/user.entity.js';
import { userFromRow, USER_COLUMNS, type UserRow } from './user-row.js';
import { EmailTakenError } from './users.errors.js';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role?: UserRole;
}
export type UserChanges = Partial<Pick<User, 'name' | 'role' | 'passwordHash' | 'emailVerified'>>;

const UNIQUE_VIOLATION = '23505';

/** Read on every request that names a user, and at every login: prepared (see PreparedQueries). */
const FIND_BY_ID = { name: 'users_find_by_id', text: `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1` };
const FIND_BY_EMAIL = {
  name: 'users_find_by_email',
  text: `SELECT ${USER_COLUMNS} FROM users u WHERE lower(u.email) = lower($1)`,
};

/** The SQL for users. Emails are matched with `lower()`, which the unique index covers. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly prepared: PreparedQueries,
  ) {}

  /**
   * Inserts, or throws `EmailTakenError` when the unique index on `lower(email)` refuses it.
   * `alongside` runs in the same transaction: when it fails, the user is not created either.
   */
  async insert(
    user: NewUser,
    alongside?: (user: User, transaction: EntityManager) => Promise<void>,
  ): Promise<User> {
    try {
      return await this.users.manager.transaction(async (transaction) => {
        const saved = await transaction.save(transaction.create(User, user));
        await alongside?.(saved, transaction);
        return saved;
      });
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        throw new EmailTakenError();
      }
      throw error;
    }
  }

  findById(id: string): Promise<User | null> {
    return this.findOne(FIND_BY_ID, id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.findOne(FIND_BY_EMAIL, email);
  }

  private async findOne(statement: PreparedStatement, value: string): Promise<User | null> {
    const [row] = await this.prepared.rows<UserRow>(statement, [value]);
    return row ? userFromRow(row) : null;
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
      params.push(`${options.search.replace(/[\\%_]/g, '\\$&')}%`);
      const prefix = `lower($${params.length})`;
      where.push(`(lower(u.email) LIKE ${prefix} ESCAPE '\\' OR lower(u.name) LIKE ${prefix} ESCAPE '\\')`);
    }
    params.push(options.limit + 1);
    const rows: UserRow[] = await this.users.query(
      `SELECT ${USER_COLUMNS} FROM users u ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY u.created_at DESC, u.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(userFromRow);
  }

  /** Applies the changes; returns the updated user, or null when there is none with this id. */
  async update(id: string, changes: UserChanges): Promise<User | null> {
    if (Object.keys(changes).length > 0) await this.users.update({ id }, changes);
    return this.findById(id);
  }

  /** True when a user was deleted. */
  async delete(id: string): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
