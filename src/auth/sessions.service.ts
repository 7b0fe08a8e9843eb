import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrganizationNotFoundError } from '../access/access.errors.js';
import type { Principal, SessionPrincipal } from '../access/principal.js';
import { OrganizationMemberships } from '../access/principals.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { AccessTokens, type TokenPair } from './access-tokens.js';
import { InvalidRefreshTokenError, SessionNotFoundError } from './auth.errors.js';
import { MAX_LISTED_SESSIONS } from './dto/session-response.dto.js';
import type { Session } from './entities/session.entity.js';
import { MfaChallenges } from './mfa-challenges.js';
import { RefreshTokens } from './refresh-tokens.js';
import { SessionsRepository, type ActiveOrganization, type Rotation } from './sessions.repository.js';

/**
 * Sessions once started: refreshing their tokens, signing out, the list their owner sees
 * (`/auth/sessions`), and the auth module's face to other modules for the sessions it owns
 * (account emails end them on a reset; reauthentication renews one).
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly sessions: SessionsRepository,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
    private readonly mfaChallenges: MfaChallenges,
    private readonly clock: Clock,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly apiKeys: ApiKeysService,
    private readonly memberships: OrganizationMemberships,
  ) {}

  /**
   * Spends the refresh token for a new pair. A token spent again ends its whole session, unless it
   * comes within AUTH_REFRESH_REUSE_INTERVAL of its spending while its successor is still unused: then
   * the caller is a second tab or a retry, and gets that same successor (refresh-tokens.ts).
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const now = this.clock.now();
    const next = this.refreshTokens.successorOf(refreshToken);
    const times = {
      now,
      idleSince: new Date(now.getTime() - this.auth.sessionIdleTtlSeconds * 1000),
      repeatSince: new Date(now.getTime() - this.auth.refreshReuseSeconds * 1000),
    };
    const rotation = await this.transactions.run(async (transaction) => {
      const hash = hashOpaqueToken(refreshToken);
      const result = await this.sessions.rotate(hash, next.hash, times, client, transaction);
      await this.recordRotation(result, transaction);
      return result;
    });
    switch (rotation.outcome) {
      case 'rotated':
        return this.accessTokens.pair(
          { id: rotation.userId, role: rotation.role },
          rotation.sessionId,
          next.token,
          rotation.organization,
        );
      case 'repeated':
        this.logger.log(
          `refresh token repeated by its client (user ${rotation.userId}, session ${rotation.sessionId})`,
        );
        return this.accessTokens.pair(
          { id: rotation.userId, role: rotation.role },
          rotation.sessionId,
          next.token,
          rotation.organization,
        );
      case 'reused':
        this.logger.warn(
          `refresh token reused: session revoked (user ${rotation.userId}, session ${rotation.sessionId}, spent from ${rotation.spentBy.ipAddress ?? 'unknown'}, presented again from ${client.ipAddress ?? 'unknown'})`,
        );
        throw new InvalidRefreshTokenError();
      case 'expired':
      case 'unknown':
        throw new InvalidRefreshTokenError();
    }
  }

  async logout(principal: SessionPrincipal): Promise<void> {
    await this.transactions.run(async (transaction) => {
      await this.sessions.delete(principal.sessionId, transaction);
      await this.audit.record({ type: 'session.logout', subjectUserId: principal.userId }, transaction);
    });
  }

  async logoutEverywhere(principal: Principal): Promise<void> {
    await this.transactions.run(async (transaction) => {
      await this.endAllOf(principal.userId, { transaction });
      await this.mfaChallenges.forgetAllOf(principal.userId, transaction);
      await this.audit.record({ type: 'session.logout-all', subjectUserId: principal.userId }, transaction);
    });
  }

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

  /**
   * Selects one of the caller's organizations for the session (null: none), and answers an access
   * token that names it; refreshes keep naming it while the account is a member. An organization
   * the caller is not a member of is a 404, as one that does not exist.
   */
  async selectOrganization(
    principal: SessionPrincipal,
    organizationId: string | null,
  ): Promise<{ accessToken: string; expiresIn: number; organization: ActiveOrganization | null }> {
    const role = organizationId && (await this.memberships.roleOf(organizationId, principal.userId));
    if (organizationId && !role) throw new OrganizationNotFoundError();
    const organization = organizationId && role ? { id: organizationId, role } : null;
    await this.sessions.selectOrganization(principal.sessionId, organizationId);
    const accessToken = this.accessTokens.issue({
      sub: principal.userId,
      sid: principal.sessionId,
      role: principal.role,
      organization,
    });
    return { accessToken, expiresIn: this.accessTokens.ttlSeconds, organization };
  }

  /** The session's holder proved who they are again: it counts as recently authenticated from now. */
  markAuthenticated(sessionId: string, transaction?: Transaction): Promise<void> {
    return this.sessions.markAuthenticated(sessionId, this.clock.now(), transaction);
  }

  /**
   * Secures the account: ends every session of the user (but `except`) and revokes every API key
   * (I14), in the caller's transaction. A suspension, which only pauses the keys, ends
   * the sessions alone.
   */
  async endAllOf(
    userId: string,
    { except, transaction }: { except?: string; transaction: Transaction },
  ): Promise<void> {
    await this.sessions.deleteAllOf(userId, except, transaction);
    await this.apiKeys.revokeAllOf(userId, transaction);
  }

  /**
   * A reuse and a repeat are recorded in the rotation's transaction (a plain rotation is every
   * client's routine). Whoever presented a spent token is not known to be the account's holder:
   * anonymous, the row holding their client and `details` the client that had spent it. A repeat
   * served (the same client, within the interval) is recorded too: the successor went out twice.
   */
  private async recordRotation(rotation: Rotation, transaction: Transaction): Promise<void> {
    if (rotation.outcome === 'reused') {
      const { userId, sessionId, spentBy } = rotation;
      await this.audit.record(
        {
          type: 'session.refresh-token-reused',
          subjectUserId: userId,
          actorUserId: null,
          sessionId,
          details: { spentByIpAddress: spentBy.ipAddress, spentByUserAgent: spentBy.userAgent },
        },
        transaction,
      );
    } else if (rotation.outcome === 'repeated') {
      const { userId, sessionId } = rotation;
      await this.audit.record(
        { type: 'session.refresh-token-repeated', subjectUserId: userId, actorUserId: userId, sessionId },
        transaction,
      );
    }
  }
}
