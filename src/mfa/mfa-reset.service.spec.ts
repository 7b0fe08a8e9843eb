import type { AuditLog } from '../audit/audit-log.js';
import type { MfaChallenges } from '../auth/mfa-challenges.js';
import type { SessionsService } from '../auth/sessions.service.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { SecurityNotices } from '../security-notices/security-notices.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import { MfaResetService } from './mfa-reset.service.js';
import type { SecondFactorsRepository } from './second-factors.repository.js';
import { aJournal } from '../../test/support/journal.js';

const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;

/** An admin's reset over fakes that write down what they were asked, in order. */
function subject() {
  const user = { id: 'user-1', totpEnabled: true, passkeyCount: 2 } as User;
  const { entries: journal, note } = aJournal();
  const service = new MfaResetService(
    {
      getForUpdate: note('lock user', () => user),
      setSecondFactors: note('set second factors'),
    } as unknown as UsersService,
    { endAllOf: note('end sessions') } as unknown as SessionsService,
    { forgetAllOf: note('forget challenges') } as unknown as MfaChallenges,
    { deleteAllOf: note('delete factors') } as unknown as SecondFactorsRepository,
    { run: async (work: (t: Transaction) => Promise<void>) => work(TRANSACTION) } as unknown as Transactions,
    { record: note('audit') } as unknown as AuditLog,
    { send: note('notice') } as unknown as SecurityNotices,
  );
  return { service, user, journal };
}

describe('MfaResetService', () => {
  it('removes every factor and challenge, ends every session, and records and tells what there was', async () => {
    const { service, journal } = subject();
    await service.reset('user-1');
    expect(journal).toEqual([
      ['lock user', 'user-1', TRANSACTION],
      ['delete factors', 'user-1', TRANSACTION],
      ['set second factors', 'user-1', { totpEnabled: false, passkeyCount: 0 }, TRANSACTION],
      ['forget challenges', 'user-1', TRANSACTION],
      ['end sessions', 'user-1', { transaction: TRANSACTION }],
      [
        'audit',
        { type: 'mfa.reset', subjectUserId: 'user-1', details: { hadTotp: true, passkeys: 2 } },
        TRANSACTION,
      ],
      ['notice', 'user-1', 'mfa-reset', TRANSACTION, { byAdministrator: true }],
    ]);
  });

  it('removes factors in the caller’s transaction, without ending sessions (a reset link’s reclaim)', async () => {
    const { service, user, journal } = subject();
    await service.removeAllOf(user, TRANSACTION);
    expect(journal.map(([name]) => name)).toEqual([
      'delete factors',
      'set second factors',
      'forget challenges',
    ]);
  });
});
