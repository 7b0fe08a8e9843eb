import type { AuditLog } from '../audit/audit-log.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import type { UserAdministration } from '../users/user-administration.service.js';
import type { UsersService } from '../users/users.service.js';
import { AccountAccessService } from './account-access.service.js';
import type { LoginLockout } from './login-lockout.js';
import type { MfaChallenges } from './mfa-challenges.js';
import type { SessionsRepository } from './sessions.repository.js';
import type { SessionsService } from './sessions.service.js';
import { aJournal } from '../../test/support/journal.js';

const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;

/** An admin's controls over fakes that write down what they were asked, in order. */
function subject() {
  const user = { id: 'user-1', email: 'ada@example.com' } as User;
  const { entries: journal, note } = aJournal();
  const service = new AccountAccessService(
    {
      getById: async () => user,
      findByEmail: async (email: string) => (email === user.email ? user : null),
    } as unknown as UsersService,
    {
      suspend: note('suspend', () => user),
      unsuspend: note('unsuspend', () => user),
    } as unknown as UserAdministration,
    { deleteAllOf: note('end sessions') } as unknown as SessionsRepository,
    { endAllOf: note('end sessions and API keys') } as unknown as SessionsService,
    { lift: note('lift lock') } as unknown as LoginLockout,
    { forgetAllOf: note('forget challenges') } as unknown as MfaChallenges,
    { run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION) } as unknown as Transactions,
    { record: note('audit') } as unknown as AuditLog,
  );
  return { service, user, journal };
}

describe('AccountAccessService', () => {
  it('suspends the account and ends its sessions and pending sign-ins in one transaction', async () => {
    const { service, user, journal } = subject();
    expect(await service.suspend('user-1', 'fraud')).toBe(user);
    expect(journal).toEqual([
      ['suspend', 'user-1', 'fraud', TRANSACTION],
      ['end sessions', 'user-1', undefined, TRANSACTION],
      ['forget challenges', 'user-1', TRANSACTION],
    ]);
  });

  it('unsuspends through the users module', async () => {
    const { service, user, journal } = subject();
    expect(await service.unsuspend('user-1')).toBe(user);
    expect(journal).toEqual([['unsuspend', 'user-1']]);
  });

  it('signs a user out everywhere, pending sign-ins and API keys included, and records it', async () => {
    const { service, journal } = subject();
    await service.signOutEverywhere('user-1');
    expect(journal).toEqual([
      ['end sessions and API keys', 'user-1', { transaction: TRANSACTION }],
      ['forget challenges', 'user-1', TRANSACTION],
      ['audit', { type: 'session.revoked-all', subjectUserId: 'user-1' }, TRANSACTION],
    ]);
  });

  it('lifts the lock on a user’s address and records it', async () => {
    const { service, journal } = subject();
    await service.unlock('user-1');
    expect(journal).toEqual([
      ['lift lock', 'ada@example.com'],
      ['audit', { type: 'login.unlocked', subjectUserId: 'user-1' }],
    ]);
  });

  it('lifts the lock on any address, naming the account when there is one', async () => {
    const { service, journal } = subject();
    await service.unlockAddress('ada@example.com');
    await service.unlockAddress('nobody@example.com');
    expect(journal).toEqual([
      ['lift lock', 'ada@example.com'],
      ['audit', { type: 'login.unlocked', subjectUserId: 'user-1' }],
      ['lift lock', 'nobody@example.com'],
      ['audit', { type: 'login.unlocked', subjectUserId: null }],
    ]);
  });
});
