import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Not, Repository, type EntityManager } from 'typeorm';
import { auditEventInsertCte, auditEventParameters } from '../audit/audit-event-insert.js';
import type { AuditEvent } from '../audit/entities/audit-event.entity.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { DatabasePool, type PreparedStatement } from '../database/database-pool.js';
import type { Transaction } from '../database/transactions.js';
import { UserColumns } from '../users/user-columns.js';
import type { UserRole } from '../users/entities/user.entity.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { Session, type SecondFactorMethod } from './entities/session.entity.js';
import type { OrganizationRole } from '../access/organization-roles.js';
import type { Account, SessionPrincipal } from '../access/principal.js';

/** The selected organization an access token names (`org_id`, `org_role`). */
export interface ActiveOrganization {
  id: string;
  role: OrganizationRole;
}

/** A session's principal as its statement returns it: the account's columns and the session's proof. */
type PrincipalRow = { session_authenticated_at: Date };
/** Another account read beside it: the same columns, without a session. */
type AccountRow = { session_authenticated_at: null };

export interface RotationTimes {
  now: Date;
  /** A session last used before this has been idle too long. */
  idleSince: Date;
  /** A token spent after this, whose successor is still unspent, is a repeat rather than a reuse. */
  repeatSince: Date;
}

export type Rotation =
  | {
      outcome: 'rotated' | 'repeated';
      sessionId: string;
      userId: string;
      role: UserRole;
      /** The organization the session selected, while the account is still a member of it. */
      organization: ActiveOrganization | null;
    }
  | { outcome: 'reused'; sessionId: string; userId: string; spentBy: ClientInfo }
  | { outcome: 'expired' | 'unknown' };

/**
 * The SQL of `sessions` and `refresh_tokens`, which only the auth module writes. TypeORM's
 * repository by default; the two statements on the hot paths (a login's new session, every
 * request's principal) are prepared (bench/README.md). The principal joins the caller's account
 * through the users module's published `UserColumns`, in the same round trip.
 */
@Injectable()
export class SessionsRepository {
  /**
   * Every login runs it: the session, its first refresh token and its `login.succeeded` in one
   * statement (atomic on its own, and one round trip where a transaction took six; the event's
   * INSERT is the audit module's, `auditEventInsertCte`). The refresh token's foreign key is checked
   * at the end of the statement, when the session row exists. The account must be active, read `FOR
   * SHARE`: a suspension (which updates the row, then ends every session) either waits for this
   * statement to commit and then ends its session too, or commits first and this inserts nothing. A
   * deleted account inserts nothing, and records nothing.
   */
  private readonly createSessionStatement: PreparedStatement;
  private readonly findPrincipalStatement: PreparedStatement;
  private readonly findPrincipalInStatement: PreparedStatement;
  private readonly findPrincipalWithStatement: PreparedStatement;

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly pool: DatabasePool,
    private readonly userColumns: UserColumns,
  ) {
    // The account is locked through the users module's published condition, not its vocabulary.
    this.createSessionStatement = {
      name: 'sessions_create',
      text: `WITH u AS (
               SELECT id FROM users u WHERE id = $1 AND ${userColumns.whereActive('u')} FOR SHARE
             ), s AS (
               INSERT INTO sessions (user_id, created_at, last_used_at, authenticated_at, expires_at, ip_address, user_agent, second_factor)
               SELECT id, $2, $2, $2, $3, $5, $6, $7 FROM u RETURNING id
             ), r AS (
               INSERT INTO refresh_tokens (token_hash, session_id, created_at) SELECT $4, id, $2 FROM s
               RETURNING session_id
             ), ${auditEventInsertCte('e', 's', 8)}
             SELECT session_id AS id FROM r`,
    };
    this.findPrincipalStatement = {
      name: 'sessions_find_principal',
      text: `SELECT ${userColumns.select('u')}, s.authenticated_at AS session_authenticated_at
               FROM sessions s JOIN users u ON u.id = s.user_id
              WHERE s.id = $1 AND s.user_id = $2 AND s.expires_at > $3`,
    };
    // The same, with the caller's role in an organization (a read of organizations' table: reads may
    // cross): an organization-scoped request's two checks in one round trip.
    this.findPrincipalInStatement = {
      name: 'sessions_find_principal_in',
      text: `SELECT ${userColumns.select('u')}, s.authenticated_at AS session_authenticated_at,
                    m.role AS organization_role
               FROM sessions s JOIN users u ON u.id = s.user_id
               LEFT JOIN memberships m ON m.organization_id = $4 AND m.user_id = s.user_id
              WHERE s.id = $1 AND s.user_id = $2 AND s.expires_at > $3`,
    };
    // The same, and the account a request names (`GET /users/:id`) as a second row of the same
    // columns: the principal's row is the one with the session's proof; absent ones are absent rows.
    this.findPrincipalWithStatement = {
      name: 'sessions_find_principal_with',
      text: `SELECT ${userColumns.select('u')}, s.authenticated_at AS session_authenticated_at
               FROM sessions s JOIN users u ON u.id = s.user_id
              WHERE s.id = $1 AND s.user_id = $2 AND s.expires_at > $3
             UNION ALL
             SELECT ${userColumns.select('u')}, NULL FROM users u WHERE u.id = $4`,
    };
  }

  /**
   * Starts a session with its first refresh token, in one statement; returns the session id, or
   * null when the account is no longer active (suspended or deleted since it was read).
   */
  async create(
    userId: string,
    tokenHash: Buffer,
    { now, expiresAt }: { now: Date; expiresAt: Date },
    client: ClientInfo,
    event: AuditEvent,
    secondFactor: SecondFactorMethod | null = null,
  ): Promise<string | null> {
    const [row] = await this.pool.prepared<{ id: string }>(this.createSessionStatement, [
      userId,
      now,
      expiresAt,
      tokenHash,
      client.ipAddress,
      client.userAgent,
      secondFactor,
      ...auditEventParameters(event),
    ]);
    return row?.id ?? null;
  }

  /** The user's live sessions (neither past their end nor idle since `idleSince`), last used first. */
  listLive(userId: string, now: Date, idleSince: Date, limit: number): Promise<Session[]> {
    return this.sessions.find({
      where: { userId, expiresAt: MoreThan(now), lastUsedAt: MoreThan(idleSince) },
      order: { lastUsedAt: 'DESC', id: 'ASC' },
      take: limit,
    });
  }

  /** Ends one session of the user; false when the user has no such session. */
  async deleteOf(userId: string, sessionId: string, transaction?: Transaction): Promise<boolean> {
    const sessions = transaction?.getRepository(Session) ?? this.sessions;
    const { affected } = await sessions.delete({ id: sessionId, userId });
    return (affected ?? 0) > 0;
  }

  /** The caller behind a live session, or null: one primary-key join per request. */
  async findPrincipal(sessionId: string, userId: string, now: Date): Promise<SessionPrincipal | null> {
    const [row] = await this.pool.prepared<PrincipalRow>(this.findPrincipalStatement, [
      sessionId,
      userId,
      now,
    ]);
    return row ? this.principalOf(row, sessionId, userId) : null;
  }

  /** The same, with the caller's role in `organizationId` (null: not a member), in the same statement. */
  async findPrincipalIn(
    sessionId: string,
    userId: string,
    now: Date,
    organizationId: string,
  ): Promise<{ principal: SessionPrincipal; organizationRole: OrganizationRole | null } | null> {
    const [row] = await this.pool.prepared<PrincipalRow & { organization_role: OrganizationRole | null }>(
      this.findPrincipalInStatement,
      [sessionId, userId, now, organizationId],
    );
    if (!row) return null;
    const { organization_role: organizationRole, ...rest } = row;
    const principal = this.principalOf(rest, sessionId, userId);
    return principal && { principal, organizationRole };
  }

  /**
   * The same, and the account `accountId` names (null: there is none), in the same statement: a
   * read of another account on behalf of its route, which still decides whether the caller may see it.
   */
  async findPrincipalWith(
    sessionId: string,
    userId: string,
    now: Date,
    accountId: string,
  ): Promise<{ principal: SessionPrincipal; account: Account | null } | null> {
    const rows = await this.pool.prepared<PrincipalRow | AccountRow>(this.findPrincipalWithStatement, [
      sessionId,
      userId,
      now,
      accountId,
    ]);
    let principal: SessionPrincipal | null = null;
    let account: Account | null = null;
    for (const row of rows) {
      const { session_authenticated_at: authenticatedAt, ...columns } = row;
      // The principal's row carries its session's proof; the other account's, none.
      if (authenticatedAt) principal = this.sessionPrincipal(columns, authenticatedAt, sessionId, userId);
      else account = this.userColumns.toUser(columns);
    }
    return principal && { principal, account };
  }

  private principalOf(row: PrincipalRow, sessionId: string, userId: string): SessionPrincipal | null {
    const { session_authenticated_at: authenticatedAt, ...columns } = row;
    return this.sessionPrincipal(columns, authenticatedAt, sessionId, userId);
  }

  private sessionPrincipal(
    columns: object,
    authenticatedAt: Date,
    sessionId: string,
    userId: string,
  ): SessionPrincipal | null {
    const user = this.userColumns.toUser(columns);
    // No session of a suspended account outlives its suspension; this holds even if one did.
    if (user.status !== 'active') return null;
    return { via: 'session', userId, sessionId, role: user.role, user, authenticatedAt };
  }

  /** The session's holder proved who they are again, now. */
  async markAuthenticated(sessionId: string, now: Date, transaction?: Transaction): Promise<void> {
    await (transaction?.getRepository(Session) ?? this.sessions).update(
      { id: sessionId },
      { authenticatedAt: now },
    );
  }

  /**
   * Spends `oldHash` and records `newHash`, its successor, in its place. A token that was already
   * spent ends its whole session (reuse detection), unless it was spent after `repeatSince` by this
   * same client (address and User-Agent, which the session recorded when it was spent) and its
   * successor is still unspent (a repeat: the caller gets that successor again). From any other
   * client it is a reuse: whoever holds a copy of a token gets nothing by racing its owner. The session row is
   * locked first, in every path, so that concurrent refreshes of one session queue up instead of
   * deadlocking, and each sees what the one before it committed. Runs in the caller's transaction,
   * which records what a reuse revoked in the same commit.
   */
  async rotate(
    oldHash: Buffer,
    newHash: Buffer,
    { now, idleSince, repeatSince }: RotationTimes,
    client: ClientInfo,
    q: Transaction,
  ): Promise<Rotation> {
    const sessions: {
      id: string;
      user_id: string;
      expires_at: Date;
      last_used_at: Date;
      ip_address: string | null;
      user_agent: string | null;
      role: UserRole;
      organization_id: string | null;
      organization_role: OrganizationRole | null;
    }[] = await q.query(
      // The account's role for the new access token's `roles`, and its role in the organization the
      // session selected (none once it left), read with the session the token is issued for.
      `SELECT s.id, s.user_id, s.expires_at, s.last_used_at, s.ip_address, s.user_agent,
              ${this.userColumns.column('u', 'role')} AS role, m.organization_id, m.role AS organization_role
         FROM sessions s JOIN users u ON u.id = s.user_id
         LEFT JOIN memberships m ON m.organization_id = s.organization_id AND m.user_id = s.user_id
        WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1) FOR UPDATE OF s`,
      [oldHash],
    );
    const session = sessions[0];
    if (!session) return { outcome: 'unknown' };
    const live = session.expires_at > now && session.last_used_at > idleSince;
    const { affected } = await q
      .createQueryBuilder()
      .update(RefreshToken)
      .set({ spentAt: now })
      .where('token_hash = :hash AND spent_at IS NULL', { hash: oldHash })
      .execute();
    if (!affected) {
      const spentBy = { ipAddress: session.ip_address, userAgent: session.user_agent };
      const sameClient = spentBy.ipAddress === client.ipAddress && spentBy.userAgent === client.userAgent;
      if (live && sameClient && (await this.isRepeat(q, oldHash, newHash, repeatSince)))
        return { outcome: 'repeated', ...rotated(session) };
      await q.delete(Session, { id: session.id });
      return { outcome: 'reused', sessionId: session.id, userId: session.user_id, spentBy };
    }
    if (!live) {
      await q.delete(Session, { id: session.id });
      return { outcome: 'expired' };
    }
    await q.insert(RefreshToken, {
      tokenHash: newHash,
      sessionId: session.id,
      createdAt: now,
      spentAt: null,
    });
    await q.update(
      Session,
      { id: session.id },
      { lastUsedAt: now, ipAddress: client.ipAddress, userAgent: client.userAgent },
    );
    return { outcome: 'rotated', ...rotated(session) };
  }

  /** The session now has this organization selected (or none). */
  async selectOrganization(sessionId: string, organizationId: string | null): Promise<void> {
    await this.sessions.update({ id: sessionId }, { organizationId });
  }

  /** Spent after `repeatSince`, and its successor is the session's unspent token. */
  private async isRepeat(
    q: EntityManager,
    oldHash: Buffer,
    newHash: Buffer,
    repeatSince: Date,
  ): Promise<boolean> {
    const rows: unknown[] = await q.query(
      `SELECT 1 FROM refresh_tokens spent JOIN refresh_tokens next ON next.session_id = spent.session_id
        WHERE spent.token_hash = $1 AND spent.spent_at > $3 AND next.token_hash = $2 AND next.spent_at IS NULL`,
      [oldHash, newHash, repeatSince],
    );
    return rows.length > 0;
  }

  async delete(sessionId: string, transaction?: Transaction): Promise<void> {
    await (transaction?.getRepository(Session) ?? this.sessions).delete({ id: sessionId });
  }

  /** Ends every session of the user, except `except` when given. */
  async deleteAllOf(userId: string, except?: string, transaction?: Transaction): Promise<void> {
    const sessions = transaction?.getRepository(Session) ?? this.sessions;
    await sessions.delete(except ? { userId, id: Not(except) } : { userId });
  }

  /**
   * Deletes up to `limit` sessions that ended (at `expires_at`, or idle since `last_used_at`)
   * before these times, by the two indexes on the session's two ends; their refresh tokens cascade.
   */
  async purgeEnded(before: { endedBefore: Date; lastUsedBefore: Date }, limit: number): Promise<number> {
    const { affected } = await this.sessions
      .createQueryBuilder()
      .delete()
      .where(
        `id IN (SELECT id FROM sessions WHERE expires_at < :endedBefore
                UNION SELECT id FROM sessions WHERE last_used_at < :lastUsedBefore
                LIMIT :limit)`,
        { ...before, limit },
      )
      .execute();
    return affected ?? 0;
  }
}

/** What a refresh's new access token says, from the session row `rotate` read. */
function rotated(session: {
  id: string;
  user_id: string;
  role: UserRole;
  organization_id: string | null;
  organization_role: OrganizationRole | null;
}) {
  const { organization_id: id, organization_role: role } = session;
  const organization = id && role ? { id, role } : null;
  return { sessionId: session.id, userId: session.user_id, role: session.role, organization };
}
