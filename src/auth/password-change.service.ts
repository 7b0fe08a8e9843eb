import { Injectable, Logger } from '@nestjs/common';
import type { SessionPrincipal } from '../access/principal.js';
import { AuditLog } from '../audit/audit-log.js';
import { Transactions } from '../database/transactions.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy } from '../passwords/password-policy.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { UsersService } from '../users/users.service.js';
import { CredentialChecks } from './credential-checks.js';
import { MfaChallenges } from './mfa-challenges.js';
import { SessionsService } from './sessions.service.js';

/** `POST /auth/change-password`: a signed-in user's new password, proved with the current one. */
@Injectable()
export class PasswordChangeService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly credentials: CredentialChecks,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly mfaChallenges: MfaChallenges,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly notices: SecurityNotices,
  ) {}

  /**
   * Needs the current password (under the login lock); keeps this session and ends every other one,
   * every pending sign-in and every API key (I14), in one transaction.
   */
  async change(principal: SessionPrincipal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.getById(principal.userId);
    await this.credentials.checkCurrentPassword(user, currentPassword);
    await this.passwordPolicy.check(newPassword, user.email, 'newPassword', [user.name]);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (transaction) => {
      await this.users.setPasswordHash(user.id, passwordHash, transaction);
      await this.sessions.endAllOf(user.id, { except: principal.sessionId, transaction });
      // A sign-in pending on the old password ends too (I5); links die with their binding to it.
      await this.mfaChallenges.forgetAllOf(user.id, transaction);
      await this.audit.record({ type: 'password.changed', subjectUserId: user.id }, transaction);
      await this.notices.send(user.id, 'password-changed', transaction);
    });
    this.logger.log(`password changed (user ${user.id})`);
  }
}
