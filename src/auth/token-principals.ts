import { Injectable } from '@nestjs/common';
import { UnauthenticatedError } from '../access/access.errors.js';
import type { Principal } from '../access/principal.js';
import { Principals, type PrincipalInOrganization, type PrincipalWithAccount } from '../access/principals.js';
import { AuditLog } from '../audit/audit-log.js';
import { ROUTE_MAX_LENGTH } from './auth.audit-details.js';
import { Clock } from '../common/clock.js';
import { AccessTokens } from './access-tokens.js';
import { SessionsRepository } from './sessions.repository.js';

const SESSION_ENDED = 'The session of this access token has ended: sign in again.';

/** The access layer's `Principals` for Gatehouse's own access tokens: a live session behind each. */
@Injectable()
export class TokenPrincipals extends Principals {
  constructor(
    private readonly accessTokens: AccessTokens,
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async authenticate(token: string): Promise<Principal> {
    const claims = this.accessTokens.verify(token);
    const principal = await this.sessions.findPrincipal(claims.sid, claims.sub, this.clock.now());
    if (!principal) throw new UnauthenticatedError(SESSION_ENDED);
    return principal;
  }

  async authenticateIn(token: string, organizationId: string): Promise<PrincipalInOrganization> {
    const claims = this.accessTokens.verify(token);
    const found = await this.sessions.findPrincipalIn(
      claims.sid,
      claims.sub,
      this.clock.now(),
      organizationId,
    );
    if (!found) throw new UnauthenticatedError(SESSION_ENDED);
    return found;
  }

  async authenticateWith(token: string, accountId: string): Promise<PrincipalWithAccount> {
    const claims = this.accessTokens.verify(token);
    const found = await this.sessions.findPrincipalWith(claims.sid, claims.sub, this.clock.now(), accountId);
    if (!found) throw new UnauthenticatedError(SESSION_ENDED);
    return found;
  }

  /** A signed-in user probing what their role may not do is worth an admin's look (I6). */
  async refused(principal: Principal, route: string): Promise<void> {
    const details = { route: route.slice(0, ROUTE_MAX_LENGTH) };
    await this.audit.record({ type: 'access.denied', subjectUserId: principal.userId, details });
  }
}
