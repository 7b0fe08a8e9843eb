import { Injectable } from '@nestjs/common';
import { ACCOUNT_EMAIL_QUEUE, type AccountEmailJob } from '../account-emails/account-email.job.js';
import { positionAfter, toPage } from '../common/pagination/keyset-cursor.js';
import { JobsService } from '../jobs/jobs.service.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import type { User, UserRole } from './entities/user.entity.js';
import { UsersRepository } from './users.repository.js';
import { UserNotFoundError } from './users.errors.js';

export interface SignUp {
  email: string;
  password: string;
  name: string;
}
export interface UserPage {
  items: User[];
  nextCursor: string | null;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly jobs: JobsService,
  ) {}

  /** Creates the account and, in the same transaction, queues its welcome email (with a verification link). */
  async signUp({ email, password, name }: SignUp, role: UserRole = 'user'): Promise<User> {
    this.passwordPolicy.check(password, email);
    const passwordHash = await this.hasher.hash(password);
    return this.users.insert({ email, name, passwordHash, role }, (user, transaction) =>
      this.jobs.enqueue<AccountEmailJob>(
        ACCOUNT_EMAIL_QUEUE,
        { kind: 'welcome', userId: user.id },
        transaction,
      ),
    );
  }

  /** Creates an admin, or promotes the user who has this email already (keeping their password). */
  async createAdmin(input: SignUp): Promise<{ user: User; created: boolean }> {
    const existing = await this.users.findByEmail(input.email);
    if (existing) return { user: await this.update(existing.id, { role: 'admin' }), created: false };
    return { user: await this.signUp(input, 'admin'), created: true };
  }

  async getById(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /** Admins see every user; anyone else only themselves, and a 404 for the rest [OWASP API1:2023]. */
  getVisibleTo(viewer: { userId: string; role: UserRole }, id: string): Promise<User> {
    if (viewer.role !== 'admin' && viewer.userId !== id) throw new UserNotFoundError();
    return this.getById(id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email);
  }

  async list(query: { limit: number; cursor?: string; search?: string }): Promise<UserPage> {
    const after = positionAfter(query.cursor);
    const rows = await this.users.findPage({ after, limit: query.limit, search: query.search });
    const { items, next } = toPage(rows, query.limit);
    return { items, nextCursor: next };
  }

  async update(id: string, changes: { name?: string; role?: UserRole }): Promise<User> {
    const user = await this.users.update(id, changes);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    if (!(await this.users.update(id, { passwordHash }))) throw new UserNotFoundError();
  }

  async delete(id: string): Promise<void> {
    if (!(await this.users.delete(id))) throw new UserNotFoundError();
  }
}
