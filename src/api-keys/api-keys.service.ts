import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ApiScope } from '../access/api-scopes.js';
import type { SessionPrincipal } from '../access/principal.js';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import { UsersService } from '../users/users.service.js';
import { UserNotFoundError } from '../users/users.errors.js';
import { ApiKeyHashes } from './api-key-hashes.js';
import { newApiKeyText, visiblePrefixOf } from './api-key-text.js';
import { ApiKeyExpiryRejectedError, ApiKeyLimitError, ApiKeyNotFoundError } from './api-keys.errors.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { MAX_API_KEYS_PER_USER, type ApiKey } from './entities/api-key.entity.js';

export interface NewApiKey {
  name: string;
  scopes: ApiScope[];
  /** ISO 8601; API_KEY_MAX_TTL from now when absent. */
  expiresAt?: string;
}

/** The life of API keys: made by their owner, listed, renamed, revoked by the owner or an admin. */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeysService');

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly repository: ApiKeysRepository,
    private readonly hashes: ApiKeyHashes,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly notices: SecurityNotices,
    private readonly clock: Clock,
  ) {}

  /** A new key for the caller; its text is in the answer and nowhere else, ever. */
  async create(principal: SessionPrincipal, request: NewApiKey): Promise<{ key: ApiKey; text: string }> {
    const now = this.clock.now();
    const expiresAt = this.expiryOf(request.expiresAt, now);
    const text = newApiKeyText();
    const prefix = visiblePrefixOf(text);
    const scopes = request.scopes.toSorted();
    const key = await this.transactions.run(async (transaction) => {
      // The owner's row locked: two creations at once cannot both pass the count.
      await this.users.getForUpdate(principal.userId, transaction);
      if ((await this.repository.countOf(principal.userId, transaction)) >= MAX_API_KEYS_PER_USER)
        throw new ApiKeyLimitError();
      const created = await this.repository.insert(
        {
          userId: principal.userId,
          name: request.name,
          prefix,
          secretHash: this.hashes.of(text),
          scopes,
          createdAt: now,
          expiresAt,
          lastUsedAt: null,
          lastUsedFrom: null,
        },
        transaction,
      );
      await this.audit.record(
        {
          type: 'api-key.created',
          subjectUserId: principal.userId,
          details: { apiKeyId: created.id, apiKeyPrefix: prefix, scopes: scopes.join(' ') },
        },
        transaction,
      );
      await this.notices.send(principal.userId, 'api-key-created', transaction, {
        apiKey: { name: request.name, prefix },
      });
      return created;
    });
    this.logger.log(`API key created (user ${principal.userId}, key ${key.id})`);
    return { key, text };
  }

  list(userId: string): Promise<ApiKey[]> {
    return this.repository.listOf(userId);
  }

  /** Another user's keys, for an admin: a 404 for an unknown user. */
  async listOf(userId: string): Promise<ApiKey[]> {
    if (!(await this.users.findById(userId))) throw new UserNotFoundError();
    return this.repository.listOf(userId);
  }

  async rename(userId: string, id: string, name: string): Promise<ApiKey> {
    const key = await this.repository.rename(userId, id, name);
    if (!key) throw new ApiKeyNotFoundError();
    return key;
  }

  /**
   * Deletes the key: the next request with it, on any instance, is a 401. The event's actor says
   * whether its owner or an admin did it.
   */
  async revoke(userId: string, id: string): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const key = await this.repository.delete(userId, id, transaction);
      if (!key) throw new ApiKeyNotFoundError();
      await this.audit.record(
        {
          type: 'api-key.revoked',
          subjectUserId: userId,
          details: { apiKeyId: key.id, apiKeyPrefix: key.prefix },
        },
        transaction,
      );
    });
    this.logger.log(`API key revoked (user ${userId}, key ${id})`);
  }

  /**
   * Revokes every key of the user, in the caller's transaction: the account is being recovered or
   * secured (every other session ends with them, docs/security-model.md I14), so a key someone made
   * with a stolen session must not outlive it.
   */
  async revokeAllOf(userId: string, transaction: Transaction): Promise<void> {
    for (const key of await this.repository.deleteAllOf(userId, transaction))
      await this.audit.record(
        {
          type: 'api-key.revoked',
          subjectUserId: userId,
          details: { apiKeyId: key.id, apiKeyPrefix: key.prefix },
        },
        transaction,
      );
  }

  /** The key's end: as asked, within API_KEY_MAX_TTL; API_KEY_MAX_TTL from now when not asked. */
  private expiryOf(asked: string | undefined, now: Date): Date | null {
    const max = this.auth.apiKeyMaxTtlSeconds;
    const latest = max === null ? null : new Date(now.getTime() + max * 1000);
    if (asked === undefined) return latest;
    const at = new Date(asked);
    if (!(at > now)) throw new ApiKeyExpiryRejectedError('must be in the future');
    if (latest && at > latest)
      throw new ApiKeyExpiryRejectedError(`must be no later than ${latest.toISOString()} (API_KEY_MAX_TTL)`);
    return at;
  }
}
