import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { MfaChallenges } from '../auth/mfa-challenges.js';
import { SessionsService } from '../auth/sessions.service.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { SecondFactorsRepository } from './second-factors.repository.js';

/**
 * Every second factor of an account removed at once: an admin's way back in for a user who lost
 * every factor (after checking who they are, elsewhere), and what a reset of a never-verified
 * account does to factors someone else may have set up (docs/security-model.md, I1).
 */
@Injectable()
export class MfaResetService {
  private readonly logger = new Logger('Mfa');

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly challenges: MfaChallenges,
    private readonly factors: SecondFactorsRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly notices: SecurityNotices,
  ) {}

  /** Removes the app, the recovery codes and every passkey, and ends every session, in one transaction. */
  async reset(userId: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const user = await this.users.getForUpdate(userId, transaction);
      await this.removeAllOf(user, transaction);
      await this.sessions.endAllOf(user.id, { transaction });
      const details = { hadTotp: user.totpEnabled, passkeys: user.passkeyCount };
      await this.audit.record({ type: 'mfa.reset', subjectUserId: user.id, details }, transaction);
      await this.notices.send(user.id, 'mfa-reset', transaction, { byAdministrator: true });
    });
    this.logger.warn(`second factors reset by an admin (user ${userId})`);
  }

  /** The app, the recovery codes, every passkey and every pending challenge, in the caller's transaction. */
  async removeAllOf(user: User, transaction: Transaction): Promise<void> {
    await this.factors.deleteAllOf(user.id, transaction);
    await this.users.setSecondFactors(user.id, { totpEnabled: false, passkeyCount: 0 }, transaction);
    await this.challenges.forgetAllOf(user.id, transaction);
  }
}
