import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import type { Transaction } from '../database/transactions.js';
import { Passkey } from './entities/passkey.entity.js';
import { RecoveryCode } from './entities/recovery-code.entity.js';
import { TotpFactor } from './entities/totp-factor.entity.js';

/**
 * The SQL of `totp_factors`, `recovery_codes` and `passkeys`, which only this module writes. Every
 * use of a one-time thing (a code's step, a recovery code) is one conditional statement, so that of
 * many concurrent uses exactly one succeeds.
 */
@Injectable()
export class SecondFactorsRepository {
  constructor(
    @InjectRepository(TotpFactor) private readonly totp: Repository<TotpFactor>,
    @InjectRepository(RecoveryCode) private readonly recoveryCodes: Repository<RecoveryCode>,
    @InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>,
  ) {}

  findTotp(userId: string, transaction?: Transaction): Promise<TotpFactor | null> {
    return (transaction?.getRepository(TotpFactor) ?? this.totp).findOneBy({ userId });
  }

  /**
   * Stores a new, unconfirmed secret (replacing an earlier unconfirmed one); false when a confirmed
   * one is there: it is never replaced behind its owner's back.
   */
  async setUpTotp(userId: string, secretSealed: string, now: Date): Promise<boolean> {
    const { raw } = await this.totp
      .createQueryBuilder('existing')
      .insert()
      .values({ userId, secretSealed, createdAt: now, confirmedAt: null, lastUsedStep: null })
      .orUpdate(['secret_sealed', 'created_at', 'last_used_step'], ['user_id'], {
        upsertType: 'on-conflict-do-update',
        overwriteCondition: { where: 'existing.confirmed_at IS NULL' },
      })
      .returning('user_id')
      .execute();
    return (raw as unknown[]).length === 1;
  }

  /**
   * Spends the step of a code that matched: true only for the first use of this step or a later one
   * (and, with `confirmAt`, only while unconfirmed, which it then confirms).
   */
  async spendStep(
    userId: string,
    step: number,
    { confirmAt, transaction }: { confirmAt?: Date; transaction?: Transaction } = {},
  ): Promise<boolean> {
    const query = (transaction?.getRepository(TotpFactor) ?? this.totp)
      .createQueryBuilder()
      .update()
      .set(confirmAt ? { lastUsedStep: step, confirmedAt: confirmAt } : { lastUsedStep: step })
      .where('user_id = :userId', { userId })
      .andWhere('(last_used_step IS NULL OR last_used_step < :step)', { step })
      .andWhere(confirmAt ? 'confirmed_at IS NULL' : 'confirmed_at IS NOT NULL');
    const { affected } = await query.execute();
    return affected === 1;
  }

  /** Removes the authenticator app and its recovery codes. */
  async deleteTotp(userId: string, transaction: Transaction): Promise<boolean> {
    await transaction.delete(RecoveryCode, { userId });
    const { affected } = await transaction.delete(TotpFactor, { userId });
    return (affected ?? 0) > 0;
  }

  /** The new set replaces the old one, used codes and all. */
  async replaceRecoveryCodes(
    userId: string,
    hashes: Buffer[],
    now: Date,
    transaction: Transaction,
  ): Promise<void> {
    await transaction.delete(RecoveryCode, { userId });
    await transaction.insert(
      RecoveryCode,
      hashes.map((codeHash) => ({ userId, codeHash, createdAt: now, usedAt: null })),
    );
  }

  /** Spends an unused recovery code stored as one of `hashes`; false when none is the user's and unspent. */
  async useRecoveryCode(
    userId: string,
    hashes: Buffer[],
    now: Date,
    transaction?: Transaction,
  ): Promise<boolean> {
    const { affected } = await (transaction?.getRepository(RecoveryCode) ?? this.recoveryCodes).update(
      { userId, codeHash: In(hashes), usedAt: IsNull() },
      { usedAt: now },
    );
    return affected === 1;
  }

  countUnusedRecoveryCodes(userId: string, transaction?: Transaction): Promise<number> {
    return (transaction?.getRepository(RecoveryCode) ?? this.recoveryCodes).countBy({
      userId,
      usedAt: IsNull(),
    });
  }

  passkeysOf(userId: string): Promise<Passkey[]> {
    return this.passkeys.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findPasskey(userId: string, id: string, transaction?: Transaction): Promise<Passkey | null> {
    return (transaction?.getRepository(Passkey) ?? this.passkeys).findOneBy({ userId, id });
  }

  findPasskeyByCredential(credentialId: string, transaction?: Transaction): Promise<Passkey | null> {
    return (transaction?.getRepository(Passkey) ?? this.passkeys).findOneBy({ credentialId });
  }

  async addPasskey(passkey: Omit<Passkey, 'id' | 'user'>, transaction: Transaction): Promise<Passkey> {
    const { identifiers } = await transaction.insert(Passkey, passkey);
    return { ...passkey, id: (identifiers[0] as { id: string }).id };
  }

  async renamePasskey(userId: string, id: string, name: string, transaction: Transaction): Promise<boolean> {
    const { affected } = await transaction.update(Passkey, { userId, id }, { name });
    return affected === 1;
  }

  async deletePasskey(userId: string, id: string, transaction: Transaction): Promise<boolean> {
    const { affected } = await transaction.delete(Passkey, { userId, id });
    return affected === 1;
  }

  /**
   * Records a passkey's use: its new signature counter, only forward (a counter that did not grow,
   * for an authenticator that counts, is a cloned key: refused by the caller before this).
   */
  async passkeyUsed(id: string, signCount: number, now: Date, transaction: Transaction): Promise<void> {
    await transaction.update(Passkey, { id }, { signCount, lastUsedAt: now });
  }

  countPasskeys(userId: string, transaction: Transaction): Promise<number> {
    return transaction.countBy(Passkey, { userId });
  }

  /** Every factor of the user (an admin's reset). */
  async deleteAllOf(userId: string, transaction: Transaction): Promise<void> {
    await transaction.delete(RecoveryCode, { userId });
    await transaction.delete(TotpFactor, { userId });
    await transaction.delete(Passkey, { userId });
  }
}
