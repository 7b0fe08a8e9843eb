import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { positionAfter, toPage } from '../common/pagination/keyset-cursor.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { DomainEvents } from '../events/domain-events.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { canonicalEmail } from './email-address.js';
import { EmailPolicy } from './email-policy.js';
import type { User, UserRole } from './entities/user.entity.js';
import { ACCOUNT_SIGNED_UP } from './users.events.js';
import { UsersRepository, type UserChanges } from './users.repository.js';
import { SameEmailError, UserNotFoundError } from './users.errors.js';

export interface SignUp {
  email: string;
  password: string;
  name: string;
}
export interface UserPage {
  items: User[];
  nextCursor: string | null;
}

/**
 * Accounts. Every change to the `users` table goes through here, from this module's routes and from
 * other modules (auth, account emails), inside their transaction when the change must be atomic
 * with theirs.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly emailPolicy: EmailPolicy,
    private readonly events: DomainEvents,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /** Creates the account and, in the same transaction, publishes `account.signed-up` (the welcome mail reacts). */
  async signUp({ email, password, name }: SignUp, role: UserRole = 'user'): Promise<User> {
    this.emailPolicy.check(email);
    await this.passwordPolicy.check(password, email, 'password', [name]);
    const passwordHash = await this.hasher.hash(password);
    const createdAt = this.clock.now();
    return this.transactions.run(async (transaction) => {
      const user = await this.users.insert({ email, name, passwordHash, role, createdAt }, transaction);
      await this.audit.record(
        { type: 'account.signed-up', subjectUserId: user.id, details: { email: user.email, role } },
        transaction,
      );
      await this.events.publish(ACCOUNT_SIGNED_UP, { userId: user.id }, transaction);
      return user;
    });
  }

  async getById(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /**
   * Admins see every user; anyone else only themselves, and a 404 for the rest [OWASP API1:2023].
   * `read`: the account as the request already read it with its caller (null: there is none), so
   * that it is not read twice.
   */
  async getVisibleTo(
    viewer: { userId: string; role: UserRole },
    id: string,
    read?: User | null,
  ): Promise<User> {
    if (viewer.role !== 'admin' && viewer.userId !== id) throw new UserNotFoundError();
    if (read === undefined) return this.getById(id);
    if (!read) throw new UserNotFoundError();
    return read;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email);
  }

  /** The user, locked until `transaction` ends, for a change that depends on what the row holds now. */
  findForUpdate(id: string, transaction: Transaction): Promise<User | null> {
    return this.users.findForUpdate(id, transaction);
  }

  /** As `findForUpdate`, for a change that needs the user: a `UserNotFoundError` when there is none. */
  async getForUpdate(id: string, transaction: Transaction): Promise<User> {
    const user = await this.users.findForUpdate(id, transaction);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async list(query: { limit: number; cursor?: string; search?: string }): Promise<UserPage> {
    const after = positionAfter(query.cursor);
    const rows = await this.users.findPage({ after, limit: query.limit, search: query.search });
    const { items, next } = toPage(rows, query.limit);
    return { items, nextCursor: next };
  }

  /**
   * Throws unless `newEmail` may replace the user's address: another address (not another spelling
   * of this one), acceptable for a new account (email-policy.ts). Whether another account has it is
   * not told here: the email change answers alike either way.
   */
  checkNewEmail(user: User, newEmail: string): void {
    if (canonicalEmail(newEmail) === user.emailCanonical) throw new SameEmailError();
    this.emailPolicy.check(newEmail, 'newEmail');
  }

  /**
   * Moves the account to `newEmail`, which its holder proved they read. An account that holds that
   * address unverified is a claim nobody proved, perhaps a squat on a change in flight: it is
   * deleted (recorded as `account.deleted`, `neverVerified`) rather than let block the owner. A
   * verified holder keeps it (`EmailTakenError`).
   */
  async changeEmail(id: string, newEmail: string, transaction: Transaction): Promise<void> {
    const holder = await this.users.findByEmailForUpdate(newEmail, transaction);
    if (holder && holder.id !== id && !holder.emailVerified && holder.role === 'user') {
      await this.users.delete(holder.id, transaction);
      const event = {
        type: 'account.deleted',
        subjectUserId: holder.id,
        details: { neverVerified: true },
      } as const;
      await this.audit.record(event, transaction);
    }
    if (!(await this.users.changeEmail(id, newEmail, this.clock.now(), transaction)))
      throw new UserNotFoundError();
  }

  setPasswordHash(id: string, passwordHash: string, transaction?: Transaction): Promise<void> {
    return this.change(id, { passwordHash }, transaction);
  }

  /**
   * The MFA module's summary of the user's factors (`totpEnabled`, `passkeyCount`), written in the
   * transaction that changes them, with the row locked (`findForUpdate`) by that transaction.
   */
  setSecondFactors(
    id: string,
    factors: Partial<Pick<User, 'totpEnabled' | 'passkeyCount'>>,
    transaction: Transaction,
  ): Promise<void> {
    return this.change(id, factors, transaction);
  }

  /** The user proved they read mail at their address. */
  markEmailVerified(id: string, transaction?: Transaction): Promise<void> {
    return this.change(id, { emailVerified: true }, transaction);
  }

  /** Stores changes to the user's row at the clock's time (or `now`); `UserNotFoundError` when it is gone. */
  async change(
    id: string,
    changes: UserChanges,
    transaction?: Transaction,
    now: Date = this.clock.now(),
  ): Promise<void> {
    if (!(await this.users.update(id, changes, now, transaction))) throw new UserNotFoundError();
  }
}
