import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Transaction } from '../database/transactions.js';
import { SigningKey } from './entities/signing-key.entity.js';

/** The advisory lock every change of the key set takes (0x6b657973: "keys"). */
const KEYS_LOCK = 0x6b657973;

/** The SQL of `signing_keys`, which only the keys module reads and writes. */
@Injectable()
export class SigningKeysRepository {
  constructor(@InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>) {}

  private repository(transaction?: Transaction): Repository<SigningKey> {
    return transaction?.getRepository(SigningKey) ?? this.keys;
  }

  /** Every key still published, newest first. */
  all(transaction?: Transaction): Promise<SigningKey[]> {
    return this.repository(transaction).find({ order: { createdAt: 'DESC' } });
  }

  /**
   * Holds, until `transaction` ends, the lock of every change to the key set: two instances that
   * boot on an empty table, or a rotation job and an operator's `keys rotate`, queue up, and the
   * second sees what the first did.
   */
  async lock(transaction: Transaction): Promise<void> {
    await transaction.query('SELECT pg_advisory_xact_lock($1)', [KEYS_LOCK]);
  }

  async insert(key: SigningKey, transaction: Transaction): Promise<void> {
    await this.repository(transaction).insert(key);
  }

  async update(
    kid: string,
    change: Pick<Partial<SigningKey>, 'state' | 'activatedAt' | 'retiredAt'>,
    transaction: Transaction,
  ): Promise<void> {
    await this.repository(transaction).update({ kid }, change);
  }

  async delete(kid: string, transaction: Transaction): Promise<void> {
    await this.repository(transaction).delete({ kid });
  }

  /** Deletes at most `limit` keys retired before `retiredBefore`. */
  async purgeRetired(retiredBefore: Date, limit: number): Promise<number> {
    const { affected } = await this.keys
      .createQueryBuilder()
      .delete()
      .where(
        `kid IN (SELECT kid FROM signing_keys WHERE state = 'retired' AND retired_at < :retiredBefore
                 ORDER BY retired_at LIMIT :limit)`,
        { retiredBefore, limit },
      )
      .execute();
    return affected ?? 0;
  }
}
