import type { User } from './entities/user.entity.js';

/**
 * The columns of a user as plain SQL selects them, and the mapping to the entity: on the hot paths
 * (every authenticated request reads the caller) this skips TypeORM's hydration, the largest cost
 * per request after the framework itself (bench/README.md).
 */
export const USER_COLUMNS =
  'u.id, u.email, u.name, u.password_hash, u.role, u.email_verified, u.created_at, u.updated_at';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: User['role'];
  email_verified: boolean;
  created_at: Date;
  updated_at: Date;
}

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    role: row.role,
    emailVerified: row.email_verified,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
