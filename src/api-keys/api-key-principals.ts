import { Injectable } from '@nestjs/common';
import { UnauthenticatedError } from '../access/access.errors.js';
import type { ApiKeyPrincipal } from '../access/principal.js';
import { ApiKeyPrincipals } from '../access/principals.js';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { Transactions } from '../database/transactions.js';
import { AccountRateLimit } from '../rate-limit/rate-limit.js';
import { ApiKeyHashes } from './api-key-hashes.js';
import { API_KEY_PREFIX, isWellFormedApiKey } from './api-key-text.js';
import { TooManyKeyRequestsError } from './api-keys.errors.js';
import { ApiKeysRepository, type KeyWithOwner } from './api-keys.repository.js';

/** How often a key's `lastUsedAt` is written while it is used from the same address. */
const LAST_USED_PRECISION_MS = 60_000;

/** Every refusal says the same: which of malformed, unknown, revoked, expired or suspended is nobody's business. */
const refused = () =>
  new UnauthenticatedError('This API key is not valid: it may be mistyped, revoked or expired.');

/**
 * The access layer's `ApiKeyPrincipals`: a `gat_` bearer token is a key. Its shape and checksum are
 * checked before any read; then one prepared statement finds the key by its keyed hash, with its
 * owner, whose state and role of the moment decide (a suspended owner's keys stop, a demoted
 * admin's lose the admin routes).
 */
@Injectable()
export class ApiKeyPrincipalsService extends ApiKeyPrincipals {
  constructor(
    private readonly repository: ApiKeysRepository,
    private readonly hashes: ApiKeyHashes,
    private readonly limits: AccountRateLimit,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {
    super();
  }

  recognises(token: string): boolean {
    return token.startsWith(API_KEY_PREFIX);
  }

  async authenticate(text: string, address: string): Promise<ApiKeyPrincipal> {
    if (!isWellFormedApiKey(text)) throw refused();
    const found = await this.repository.findByHash(this.hashes.of(text));
    const now = this.clock.now();
    if (!found || found.owner.status !== 'active' || (found.key.expiresAt && found.key.expiresAt <= now))
      throw refused();
    const wait = await this.limits.apiKeyRetryAfter(found.key.id);
    if (wait > 0) throw new TooManyKeyRequestsError(wait);
    await this.noteUse(found, address, now);
    const { key, owner } = found;
    return {
      via: 'api-key',
      userId: owner.id,
      apiKeyId: key.id,
      scopes: key.scopes,
      role: owner.role,
      user: owner,
    };
  }

  /** `lastUsedAt` to the minute; a use from another address than the last is written and audited at once. */
  private async noteUse({ key, owner }: KeyWithOwner, address: string, now: Date): Promise<void> {
    const newAddress = key.lastUsedFrom !== address;
    const stale = !key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS;
    if (!newAddress && !stale) return;
    await this.transactions.run(async (transaction) => {
      const since = new Date(now.getTime() - LAST_USED_PRECISION_MS);
      const wrote = await this.repository.noteUse(key.id, now, address, { newAddress, since }, transaction);
      if (wrote && newAddress)
        await this.audit.record(
          {
            type: 'api-key.used-from-new-address',
            subjectUserId: owner.id,
            actorUserId: owner.id,
            details: { apiKeyId: key.id, apiKeyPrefix: key.prefix },
          },
          transaction,
        );
    });
  }
}
