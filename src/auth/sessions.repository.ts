import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { PreparedQueries } from '../database/prepared-queries.js';
import type { User, UserRole } from '../users/entities/user.entity.js';
import { userFromRow, USER_COLUMNS, type UserRow } from '../users/user-row.js';

/** Who is calling: read from the database on every request, so revocation and role changes apply at once. */
export interface Principal {
  userId: string;
  sessionId: string;
  email: string;
  role: UserRole;
  /** The caller's account as this request found it (`GET /users/me` needs nothing more). */
  user: User;
}

export type Rotation =
  | { outcome: 'rotated'; sessionId: string; userId: string }
  | { outcome: 'reused'; userId: string }
  | { outcome: 'expired' | 'unknown' };

/** Every authenticated request runs it: a prepared statement (see PreparedQueries). */
const FIND_PRINCIPAL = {
  name: 'sessions_find_principal',
  text: `SELECT ${USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = $1 AND s.user_id = $2 AND s.expires_at > $3`,
};

/**
 * Every login runs it: both rows in one statement (atomic on its own, and one round trip where a
 * transaction took four). The refresh token's foreign key is checked at the end of the statement,
 * when the session row exists.
 */
const CREATE_SESSION = {
  name: 'sessions_create',
  text: `WITH s AS (
           INSERT INTO sessions (user_id, created_at, last_used_at, expires_at) VALUES ($1, $2, $2, $3) RETURNING id
         )
         INSERT INTO refresh_tokens (token_hash, session_id, created_at) SELECT $4, id, $2 FROM s
         RETURNING session_id AS id`,
};

/** The SQL of sessions and refresh tokens: plain statements on the hot path, no entity hydration. */
@Injectable()
export class SessionsRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly prepared: PreparedQueries,
  ) {}

  /** Starts a session with its first refresh token, in one statement; returns the session id. */
  async create(userId: string, tokenHash: Buffer, now: Date, expiresAt: Date): Promise<string> {
    const [{ id }] = await this.prepared.rows<{ id: string }>(CREATE_SESSION, [
      userId,
      now,
      expiresAt,
      tokenHash,
    ]);
    return id;
  }

  /**
   * Spends `oldHash` and records `newHash` in its place. A token that was already spent ends its
   * whole session (reuse detection). The session row is locked first, in every path, so that
   * concurrent refreshes of one session queue up instead of deadlocking.
   */
  rotate(oldHash: Buffer, newHash: Buffer, now: Date, idleSince: Date): Promise<Rotation> {
    return this.inTransaction(async (q) => {
      const sessions = await q.query(
        `SELECT s.id, s.user_id, s.expires_at, s.last_used_at FROM sessions s
          WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1) FOR UPDATE`,
        [oldHash],
      );
      if (sessions.length === 0) return { outcome: 'unknown' };
      const session = sessions[0] as { id: string; user_id: string; expires_at: Date; last_used_at: Date };
      const spent = await q.query(
        'UPDATE refresh_tokens SET spent_at = $2 WHERE token_hash = $1 AND spent_at IS NULL RETURNING session_id',
        [oldHash, now],
        true,
      );
      if (spent.records.length === 0) {
        await q.query('DELETE FROM sessions WHERE id = $1', [session.id]);
        return { outcome: 'reused', userId: session.user_id };
      }
      if (session.expires_at <= now || session.last_used_at <= idleSince) {
        await q.query('DELETE FROM sessions WHERE id = $1', [session.id]);
        return { outcome: 'expired' };
      }
      await q.query('INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)', [
        newHash,
        session.id,
        now,
      ]);
      await q.query('UPDATE sessions SET last_used_at = $2 WHERE id = $1', [session.id, now]);
      return { outcome: 'rotated', sessionId: session.id, userId: session.user_id };
    });
  }

  /** The caller behind a live session, or null: one primary-key join per request. */
  async findPrincipal(sessionId: string, userId: string, now: Date): Promise<Principal | null> {
    const rows = await this.prepared.rows<UserRow>(FIND_PRINCIPAL, [sessionId, userId, now]);
    if (rows.length === 0) return null;
    const user = userFromRow(rows[0]);
    return { userId, sessionId, email: user.email, role: user.role, user };
  }

  async delete(sessionId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
  }

  /** Ends every session of the user, except `keep` when given. */
  async deleteAllOf(userId: string, keep?: string): Promise<void> {
    await this.dataSource.query('DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2::uuid', [
      userId,
      keep ?? null,
    ]);
  }

  private async inTransaction<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
}
