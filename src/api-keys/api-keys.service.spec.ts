import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { SessionPrincipal } from '../access/principal.js';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { SecurityNotices } from '../security-notices/security-notices.js';
import type { User } from '../users/entities/user.entity.js';
import { UserNotFoundError } from '../users/users.errors.js';
import type { UsersService } from '../users/users.service.js';
import type { ApiKeyHashes } from './api-key-hashes.js';
import { isWellFormedApiKey } from './api-key-text.js';
import { ApiKeyExpiryRejectedError, ApiKeyLimitError, ApiKeyNotFoundError } from './api-keys.errors.js';
import type { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { MAX_API_KEYS_PER_USER, type ApiKey } from './entities/api-key.entity.js';

Logger.overrideLogger(false);

const NOW = new Date('2026-12-07T12:00:00.000Z');
const DAY = 86_400_000;
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const PRINCIPAL = { via: 'session', userId: 'user-1', sessionId: 'session-1' } as SessionPrincipal;

function subject({ count = 0, maxTtlDays = 365 as number | null, deleted = true } = {}) {
  const audited: AuditRecord[] = [];
  const repository = {
    countOf: jest.fn(async () => count),
    insert: jest.fn(async (key: Omit<ApiKey, 'id'>) => ({ ...key, id: 'key-1' })),
    listOf: jest.fn(async () => []),
    rename: jest.fn(async (_u: string, id: string, name: string) => (deleted ? { id, name } : null)),
    delete: jest.fn(async (_u: string, id: string) => (deleted ? { id, prefix: 'gat_AbCd' } : null)),
    deleteAllOf: jest.fn(async () => [
      { id: 'key-1', prefix: 'gat_AbCd' },
      { id: 'key-2', prefix: 'gat_EfGh' },
    ]),
  };
  const users = {
    getForUpdate: jest.fn(async (id: string) => ({ id }) as User),
    findById: jest.fn(async (id: string) => (id === 'user-1' ? ({ id } as User) : null)),
  };
  const notices = { send: jest.fn(async () => undefined) };
  const service = new ApiKeysService(
    { apiKeyMaxTtlSeconds: maxTtlDays === null ? null : maxTtlDays * 86_400 } as AuthConfig,
    repository as unknown as ApiKeysRepository,
    { of: (text: string) => Buffer.from(`hash of ${text}`) } as ApiKeyHashes,
    users as unknown as UsersService,
    { run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION) } as unknown as Transactions,
    { record: async (record: AuditRecord) => void audited.push(record) } as unknown as AuditLog,
    notices as unknown as SecurityNotices,
    { now: () => NOW } as Clock,
  );
  return { service, repository, users, notices, audited };
}

describe('ApiKeysService', () => {
  it('makes a key whose text is answered once, stored as its keyed hash, with its scopes sorted', async () => {
    const { service, repository, audited, notices, users } = subject();
    const { key, text } = await service.create(PRINCIPAL, {
      name: 'CI',
      scopes: ['users:write', 'audit:read'],
    });
    expect(isWellFormedApiKey(text)).toBe(true);
    expect(users.getForUpdate).toHaveBeenCalledWith('user-1', TRANSACTION);
    expect(repository.insert).toHaveBeenCalledWith(
      {
        userId: 'user-1',
        name: 'CI',
        prefix: text.slice(0, 8),
        secretHash: Buffer.from(`hash of ${text}`),
        scopes: ['audit:read', 'users:write'],
        createdAt: NOW,
        expiresAt: new Date(NOW.getTime() + 365 * DAY),
        lastUsedAt: null,
        lastUsedFrom: null,
      },
      TRANSACTION,
    );
    expect(key.id).toBe('key-1');
    expect(audited).toEqual([
      {
        type: 'api-key.created',
        subjectUserId: 'user-1',
        details: { apiKeyId: 'key-1', apiKeyPrefix: text.slice(0, 8), scopes: 'audit:read users:write' },
      },
    ]);
    expect(notices.send).toHaveBeenCalledWith('user-1', 'api-key-created', TRANSACTION, {
      apiKey: { name: 'CI', prefix: text.slice(0, 8) },
    });
  });

  it('refuses a key past MAX_API_KEYS_PER_USER, counted under the owner’s lock', async () => {
    const { service, repository } = subject({ count: MAX_API_KEYS_PER_USER });
    await expect(service.create(PRINCIPAL, { name: 'CI', scopes: ['users:read'] })).rejects.toBeInstanceOf(
      ApiKeyLimitError,
    );
    expect(repository.insert).not.toHaveBeenCalled();
    const below = subject({ count: MAX_API_KEYS_PER_USER - 1 });
    await expect(
      below.service.create(PRINCIPAL, { name: 'CI', scopes: ['users:read'] }),
    ).resolves.toBeDefined();
  });

  it('takes an expiry in the future up to API_KEY_MAX_TTL, its edge included; none with API_KEY_MAX_TTL=none', async () => {
    const expiryOf = async (expiresAt: string | undefined, maxTtlDays: number | null = 365) => {
      const { service, repository } = subject({ maxTtlDays });
      await service.create(PRINCIPAL, { name: 'CI', scopes: ['users:read'], expiresAt });
      return repository.insert.mock.calls[0]![0].expiresAt;
    };
    const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
    expect(await expiryOf(at(365 * DAY))).toEqual(new Date(NOW.getTime() + 365 * DAY));
    expect(await expiryOf(at(1))).toEqual(new Date(NOW.getTime() + 1));
    expect(await expiryOf(undefined, null)).toBeNull();
    expect(await expiryOf(at(5000 * DAY), null)).toEqual(new Date(NOW.getTime() + 5000 * DAY));
    for (const refused of [at(0), at(-1), at(365 * DAY + 1)]) {
      const { service } = subject();
      const creation = service.create(PRINCIPAL, { name: 'CI', scopes: ['users:read'], expiresAt: refused });
      await expect(creation).rejects.toBeInstanceOf(ApiKeyExpiryRejectedError);
      await expect(creation).rejects.toMatchObject({ errors: [{ pointer: '#/expiresAt' }] });
    }
  });

  it('renames and revokes the owner’s key only, a 404 for any other; a revocation is audited', async () => {
    const { service, audited } = subject();
    await expect(service.rename('user-1', 'key-1', 'Deploys')).resolves.toEqual({
      id: 'key-1',
      name: 'Deploys',
    });
    await service.revoke('user-1', 'key-1');
    expect(audited).toEqual([
      {
        type: 'api-key.revoked',
        subjectUserId: 'user-1',
        details: { apiKeyId: 'key-1', apiKeyPrefix: 'gat_AbCd' },
      },
    ]);
    const none = subject({ deleted: false });
    await expect(none.service.rename('user-1', 'key-9', 'x')).rejects.toBeInstanceOf(ApiKeyNotFoundError);
    await expect(none.service.revoke('user-1', 'key-9')).rejects.toBeInstanceOf(ApiKeyNotFoundError);
    expect(none.audited).toEqual([]);
  });

  it("lists another user's keys for an admin, a 404 for an unknown user", async () => {
    const { service, repository } = subject();
    await expect(service.listOf('user-1')).resolves.toEqual([]);
    await expect(service.listOf('user-2')).rejects.toBeInstanceOf(UserNotFoundError);
    expect(repository.listOf).toHaveBeenCalledTimes(1);
  });

  it('revokes every key of a user in the caller’s transaction, each audited', async () => {
    const { service, repository, audited } = subject();
    await service.revokeAllOf('user-1', TRANSACTION);
    expect(repository.deleteAllOf).toHaveBeenCalledWith('user-1', TRANSACTION);
    expect(audited.map((r) => [r.type, r.details?.apiKeyId])).toEqual([
      ['api-key.revoked', 'key-1'],
      ['api-key.revoked', 'key-2'],
    ]);
  });
});
