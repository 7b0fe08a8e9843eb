import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { ApiScope } from '../access/api-scopes.js';
import { DatabasePool, type PreparedStatement } from '../database/database-pool.js';
import type { Transaction } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UserColumns } from '../users/user-columns.js';
import { ApiKey } from './entities/api-key.entity.js';

/** A key found by its hash, with its owner's account as the guard needs it. */
export interface KeyWithOwner {
  key: Pick<ApiKey, 'id' | 'prefix' | 'scopes' | 'expiresAt' | 'lastUsedAt' | 'lastUsedFrom'>;
  owner: User;
}

type PrincipalRow = {
  key_id: string;
  key_prefix: string;
  key_scopes: ApiScope[];
  key_expires_at: Date | null;
  key_last_used_at: Date | null;
  key_last_used_from: string | null;
};

/** The SQL of `api_keys`. */
@Injectable()
export class ApiKeysRepository {
  private readonly findByHashStatement: PreparedStatement;

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly pool: DatabasePool,
    private readonly userColumns: UserColumns,
  ) {
    // Every request made with a key: one prepared statement, as a session's principal is.
    this.findByHashStatement = {
      name: 'api_keys_find_principal',
      text: `SELECT ${userColumns.select('u')}, k.id AS key_id, k.prefix AS key_prefix, k.scopes AS key_scopes,
                    k.expires_at AS key_expires_at, k.last_used_at AS key_last_used_at,
                    k.last_used_from AS key_last_used_from
               FROM api_keys k JOIN users u ON u.id = k.user_id
              WHERE k.secret_hash = $1`,
    };
  }

  async findByHash(secretHash: Buffer): Promise<KeyWithOwner | null> {
    const [row] = await this.pool.prepared<PrincipalRow>(this.findByHashStatement, [secretHash]);
    if (!row) return null;
    const {
      key_id: id,
      key_prefix: prefix,
      key_scopes: scopes,
      key_expires_at: expiresAt,
      key_last_used_at: lastUsedAt,
      key_last_used_from: lastUsedFrom,
      ...columns
    } = row;
    return {
      key: { id, prefix, scopes, expiresAt, lastUsedAt, lastUsedFrom },
      owner: this.userColumns.toUser(columns),
    };
  }

  /** The user's keys, newest first (at most MAX_API_KEYS_PER_USER exist). */
  listOf(userId: string): Promise<ApiKey[]> {
    return this.keys.find({ where: { userId }, order: { createdAt: 'DESC', id: 'ASC' } });
  }

  countOf(userId: string, transaction: Transaction): Promise<number> {
    return transaction.getRepository(ApiKey).countBy({ userId });
  }

  async insert(key: Omit<ApiKey, 'id' | 'user'>, transaction: Transaction): Promise<ApiKey> {
    return transaction.getRepository(ApiKey).save(transaction.getRepository(ApiKey).create(key));
  }

  findOf(userId: string, id: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ id, userId });
  }

  async rename(userId: string, id: string, name: string): Promise<ApiKey | null> {
    const { affected } = await this.keys.update({ id, userId }, { name });
    return affected ? this.findOf(userId, id) : null;
  }

  /** Deletes the user's key; what it was, or null when the user has no such key. */
  async delete(
    userId: string,
    id: string,
    transaction: Transaction,
  ): Promise<Pick<ApiKey, 'id' | 'prefix'> | null> {
    const [key] = await this.deleteWhere(transaction, 'user_id = :userId AND id = :id', { userId, id });
    return key ?? null;
  }

  /** Deletes every key of the user; what they were. */
  deleteAllOf(userId: string, transaction: Transaction): Promise<Pick<ApiKey, 'id' | 'prefix'>[]> {
    return this.deleteWhere(transaction, 'user_id = :userId', { userId });
  }

  /** One `DELETE … RETURNING`: the keys it removed, as the audit log names them. */
  private async deleteWhere(
    transaction: Transaction,
    where: string,
    parameters: Record<string, string>,
  ): Promise<Pick<ApiKey, 'id' | 'prefix'>[]> {
    const { raw } = await transaction
      .getRepository(ApiKey)
      .createQueryBuilder()
      .delete()
      .where(where, parameters)
      .returning(['id', 'prefix'])
      .execute();
    return raw as Pick<ApiKey, 'id' | 'prefix'>[];
  }

  /**
   * Records a use. From a new address: only if no other request recorded it first (true when this
   * one did, so that one request audits it). From the same address: at most once per minute.
   */
  async noteUse(
    id: string,
    at: Date,
    from: string,
    { newAddress, since }: { newAddress: boolean; since: Date },
    transaction: Transaction,
  ): Promise<boolean> {
    const { affected } = await transaction
      .getRepository(ApiKey)
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: at, lastUsedFrom: from })
      .where('id = :id', { id })
      .andWhere(
        newAddress
          ? 'last_used_from IS DISTINCT FROM :from'
          : '(last_used_at IS NULL OR last_used_at < :since)',
        { from, since },
      )
      .execute();
    return (affected ?? 0) > 0;
  }
}
