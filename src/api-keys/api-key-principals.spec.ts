import { jest } from '@jest/globals';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { AccountRateLimit } from '../rate-limit/rate-limit.js';
import type { User } from '../users/entities/user.entity.js';
import { UnauthenticatedError } from '../access/access.errors.js';
import type { ApiKeyHashes } from './api-key-hashes.js';
import { ApiKeyPrincipalsService } from './api-key-principals.js';
import { newApiKeyText } from './api-key-text.js';
import { TooManyKeyRequestsError } from './api-keys.errors.js';
import type { ApiKeysRepository, KeyWithOwner } from './api-keys.repository.js';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const KEY = newApiKeyText();
const OWNER = { id: 'user-1', role: 'admin', status: 'active' } as User;
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;

function subject(found: Partial<KeyWithOwner['key']> | null = {}, { owner = OWNER, wait = 0 } = {}) {
  const row: KeyWithOwner | null = found && {
    key: {
      id: 'key-1',
      prefix: KEY.slice(0, 8),
      scopes: ['users:read'],
      expiresAt: new Date(NOW.getTime() + 60_000),
      lastUsedAt: new Date(NOW.getTime() - 30_000),
      lastUsedFrom: '203.0.113.7',
      ...found,
    },
    owner,
  };
  const repository = {
    findByHash: jest.fn(async (_hash: Buffer) => row),
    noteUse: jest.fn(async () => true),
  };
  const audited: AuditRecord[] = [];
  const limits = { apiKeyRetryAfter: jest.fn(async () => wait) };
  const principals = new ApiKeyPrincipalsService(
    repository as unknown as ApiKeysRepository,
    { of: (text: string) => Buffer.from(`hash of ${text}`) } as ApiKeyHashes,
    limits as unknown as AccountRateLimit,
    { run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION) } as unknown as Transactions,
    { record: async (record: AuditRecord) => void audited.push(record) } as unknown as AuditLog,
    { now: () => NOW } as Clock,
  );
  return { principals, repository, audited, limits };
}

describe('ApiKeyPrincipalsService', () => {
  it('recognises a key by its prefix alone, so that a JWT is never read as one', () => {
    const { principals } = subject();
    expect(principals.recognises(KEY)).toBe(true);
    expect(principals.recognises('gat_')).toBe(true);
    expect(principals.recognises('eyJhbGciOiJFZERTQSJ9.e30.sig')).toBe(false);
    expect(principals.recognises('Gat_x')).toBe(false);
  });

  it('refuses a malformed key or a failing checksum without reading the database', async () => {
    const { principals, repository } = subject();
    for (const wrong of ['gat_', `${KEY}x`, KEY.slice(0, -1) + (KEY.endsWith('a') ? 'b' : 'a')])
      await expect(principals.authenticate(wrong, '203.0.113.7')).rejects.toBeInstanceOf(
        UnauthenticatedError,
      );
    expect(repository.findByHash).not.toHaveBeenCalled();
  });

  it("answers the owner's principal, with the key's scopes and the owner's role of the moment", async () => {
    const { principals, repository } = subject();
    await expect(principals.authenticate(KEY, '203.0.113.7')).resolves.toEqual({
      via: 'api-key',
      userId: 'user-1',
      apiKeyId: 'key-1',
      scopes: ['users:read'],
      role: 'admin',
      user: OWNER,
    });
    expect(repository.findByHash).toHaveBeenCalledWith(Buffer.from(`hash of ${KEY}`));
  });

  it('refuses an unknown key, an expired one (at its instant) and a suspended owner’s, alike', async () => {
    const cases = [
      subject(null),
      subject({ expiresAt: NOW }),
      subject({ expiresAt: new Date(NOW.getTime() - 1) }),
      subject({}, { owner: { ...OWNER, status: 'suspended' } as User }),
    ];
    for (const { principals, limits } of cases) {
      const refused = principals.authenticate(KEY, '203.0.113.7');
      await expect(refused).rejects.toThrow('This API key is not valid');
      expect(limits.apiKeyRetryAfter).not.toHaveBeenCalled();
    }
    await expect(
      subject({ expiresAt: null }).principals.authenticate(KEY, '203.0.113.7'),
    ).resolves.toBeDefined();
  });

  it('counts every use against the key, and refuses past its budget with the wait', async () => {
    const { principals, limits } = subject({}, { wait: 12 });
    await expect(principals.authenticate(KEY, '203.0.113.7')).rejects.toEqual(
      new TooManyKeyRequestsError(12),
    );
    expect(limits.apiKeyRetryAfter).toHaveBeenCalledWith('key-1');
  });

  it('writes the last use at most once a minute from the same address, at once and audited from another', async () => {
    const recent = subject({ lastUsedAt: new Date(NOW.getTime() - 59_999) });
    await recent.principals.authenticate(KEY, '203.0.113.7');
    expect(recent.repository.noteUse).not.toHaveBeenCalled();

    const stale = subject({ lastUsedAt: new Date(NOW.getTime() - 60_000) });
    await stale.principals.authenticate(KEY, '203.0.113.7');
    expect(stale.repository.noteUse).toHaveBeenCalledWith(
      'key-1',
      NOW,
      '203.0.113.7',
      { newAddress: false, since: new Date(NOW.getTime() - 60_000) },
      TRANSACTION,
    );
    expect(stale.audited).toEqual([]);

    for (const previous of [{ lastUsedFrom: '198.51.100.1' }, { lastUsedFrom: null, lastUsedAt: null }]) {
      const moved = subject(previous);
      await moved.principals.authenticate(KEY, '203.0.113.7');
      expect(moved.repository.noteUse).toHaveBeenCalledWith(
        'key-1',
        NOW,
        '203.0.113.7',
        expect.objectContaining({ newAddress: true }),
        TRANSACTION,
      );
      expect(moved.audited).toEqual([
        {
          type: 'api-key.used-from-new-address',
          subjectUserId: 'user-1',
          actorUserId: 'user-1',
          details: { apiKeyId: 'key-1', apiKeyPrefix: KEY.slice(0, 8) },
        },
      ]);
    }
  });

  it('audits a new address once: not when another request recorded it first', async () => {
    const moved = subject({ lastUsedFrom: '198.51.100.1' });
    moved.repository.noteUse.mockImplementation(async () => false);
    await moved.principals.authenticate(KEY, '203.0.113.7');
    expect(moved.audited).toEqual([]);
  });
});
