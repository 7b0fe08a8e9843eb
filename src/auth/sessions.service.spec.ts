import type { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import { SessionNotFoundError } from './auth.errors.js';
import type { Principal } from '../access/principal.js';
import type { AccessTokens } from './access-tokens.js';
import type { MfaChallenges } from './mfa-challenges.js';
import type { RefreshTokens } from './refresh-tokens.js';
import type { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { aJournal } from '../../test/support/journal.js';
import type { OrganizationMemberships } from '../access/principals.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const principal = { userId: 'user-1', sessionId: 'session-1' } as Principal;

function subject({ found = true } = {}) {
  const { entries: journal, note } = aJournal();
  const service = new SessionsService(
    { sessionIdleTtlSeconds: 3600 } as AuthConfig,
    {
      listLive: note('list live', () => []),
      deleteOf: note('delete one', () => found),
      markAuthenticated: note('mark authenticated'),
      deleteAllOf: note('delete all'),
    } as unknown as SessionsRepository,
    {} as AccessTokens,
    {} as RefreshTokens,
    {} as MfaChallenges,
    { now: () => NOW } as Clock,
    { run: async (work: (t: Transaction) => Promise<void>) => work(TRANSACTION) } as unknown as Transactions,
    { record: note('audit') } as unknown as AuditLog,
    { revokeAllOf: note('revoke API keys') } as unknown as ApiKeysService,
    {} as OrganizationMemberships,
  );
  return { service, journal };
}

describe('SessionsService', () => {
  it('lists the live sessions: unexpired, used within the idle TTL, at most a hundred', async () => {
    const { service, journal } = subject();
    await service.liveSessionsOf(principal);
    expect(journal).toEqual([['list live', 'user-1', NOW, new Date(NOW.getTime() - 3600_000), 100]]);
  });

  it('ends one of the caller’s sessions and records it', async () => {
    const { service, journal } = subject();
    await service.endSessionOf(principal, 'session-2');
    expect(journal).toEqual([
      ['delete one', 'user-1', 'session-2', TRANSACTION],
      ['audit', { type: 'session.revoked', subjectUserId: 'user-1', sessionId: 'session-2' }, TRANSACTION],
    ]);
  });

  it('answers a session that is not the caller’s as not found, recording nothing', async () => {
    const { service, journal } = subject({ found: false });
    await expect(service.endSessionOf(principal, 'session-2')).rejects.toBeInstanceOf(SessionNotFoundError);
    expect(journal.map(([name]) => name)).toEqual(['delete one']);
  });

  it('marks a session recently authenticated now, and ends all of a user’s sessions but one and their API keys', async () => {
    const { service, journal } = subject();
    await service.markAuthenticated('session-1', TRANSACTION);
    await service.endAllOf('user-1', { except: 'session-1', transaction: TRANSACTION });
    expect(journal).toEqual([
      ['mark authenticated', 'session-1', NOW, TRANSACTION],
      ['delete all', 'user-1', 'session-1', TRANSACTION],
      ['revoke API keys', 'user-1', TRANSACTION],
    ]);
  });
});
