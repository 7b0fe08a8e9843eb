import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { RecoveryCodeHashes } from './recovery-codes.js';
import { SecondFactorsRepository } from './second-factors.repository.js';
import { SecretBox } from '../common/secret-box.js';
import { matchingStep } from './totp.js';

/** What a caller offers as a second factor: a code of the authenticator app, or a recovery code. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

/** Thrown inside the transaction to roll it back when the proof was wrong. */
class WrongProof extends Error {}

/**
 * Checks and spends a second factor: a code's time step once (a replay is refused), a recovery code
 * once (recorded as `mfa.recovery-code-used` with how many are left). Run in the caller's transaction,
 * so that what it spends is restored when the caller's change fails.
 */
@Injectable()
export class SecondFactors {
  constructor(
    private readonly factors: SecondFactorsRepository,
    private readonly box: SecretBox,
    private readonly recoveryCodes: RecoveryCodeHashes,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly notices: SecurityNotices,
  ) {}

  /**
   * Spends the proof and makes `change` in one transaction: false, with nothing changed or spent,
   * when the proof is wrong; when `change` throws, the proof is not spent either.
   */
  async withProof(
    user: User,
    proof: SecondFactorProof,
    change: (user: User, transaction: Transaction) => Promise<void>,
  ): Promise<boolean> {
    try {
      await this.transactions.run(async (transaction) => {
        // The row locked: one account's factor changes and uses take turns.
        const locked = await this.users.findForUpdate(user.id, transaction);
        if (!locked || !(await this.spend(locked, proof, transaction))) throw new WrongProof();
        await change(locked, transaction);
      });
      return true;
    } catch (error) {
      if (error instanceof WrongProof) return false;
      throw error;
    }
  }

  private async spend(user: User, proof: SecondFactorProof, transaction: Transaction): Promise<boolean> {
    if ('code' in proof) {
      const factor = user.totpEnabled ? await this.factors.findTotp(user.id, transaction) : null;
      if (!factor?.confirmedAt) return false;
      const step = matchingStep(this.box.open(factor.secretSealed, user.id), proof.code, this.clock.now());
      return step !== null && this.factors.spendStep(user.id, step, { transaction });
    }
    if (!user.totpEnabled) return false;
    const hashes = this.recoveryCodes.candidates(proof.recoveryCode);
    if (!(await this.factors.useRecoveryCode(user.id, hashes, this.clock.now(), transaction))) return false;
    const remaining = await this.factors.countUnusedRecoveryCodes(user.id, transaction);
    await this.audit.record(
      {
        type: 'mfa.recovery-code-used',
        subjectUserId: user.id,
        actorUserId: user.id,
        details: { remaining },
      },
      transaction,
    );
    await this.notices.send(user.id, 'recovery-code-used', transaction, { remaining });
    return true;
  }
}
