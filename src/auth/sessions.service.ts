import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { SessionNotFoundError } from './auth.errors.js';
import { MAX_LISTED_SESSIONS } from './dto/session-response.dto.js';
import type { Session } from './entities/session.entity.js';
import type { Principal } from '../access/principal.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * Sessions as their owner sees them (`/auth/sessions`), and the auth module's face to other modules
 * for the sessions it owns (account emails end them on a reset).
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  /** The caller's live sessions, the most recently used first (at most MAX_LISTED_SESSIONS). */
  liveSessionsOf(principal: Principal): Promise<Session[]> {
    const now = this.clock.now();
    const idleSince = new Date(now.getTime() - this.auth.sessionIdleTtlSeconds * 1000);
    return this.sessions.listLive(principal.userId, now, idleSince, MAX_LISTED_SESSIONS);
  }

  /**
   * Ends one of the caller's sessions (its access tokens fail from the next request on). Another
   * account's session is not found, exactly as a session that never existed.
   */
  async endSessionOf(principal: Principal, sessionId: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      if (!(await this.sessions.deleteOf(principal.userId, sessionId, transaction)))
        throw new SessionNotFoundError();
      await this.audit.record(
        { type: 'session.revoked', subjectUserId: principal.userId, sessionId },
        transaction,
      );
    });
    this.logger.log(`session ended by its user (user ${principal.userId}, session ${sessionId})`);
  }

  /** The session's holder proved who they are again: it counts as recently authenticated from now. */
  markAuthenticated(sessionId: string, transaction?: Transaction): Promise<void> {
    return this.sessions.markAuthenticated(sessionId, this.clock.now(), transaction);
  }

  /** Ends every session of the user (but `except`), in the caller's transaction when given. */
  endAllOf(userId: string, options: { except?: string; transaction?: Transaction } = {}): Promise<void> {
    return this.sessions.deleteAllOf(userId, options.except, options.transaction);
  }
}
