import type { AuditLog } from '../audit/audit-log.js';
import { jest } from '@jest/globals';
import type { Clock } from '../common/clock.js';
import type { SecurityNotices } from '../security-notices/security-notices.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicy, PasswordRejectedError } from '../passwords/password-policy.js';
import { EmailPolicy, EmailRejectedError } from './email-policy.js';
import type { User } from './entities/user.entity.js';
import type { UsersRepository } from './users.repository.js';
import { userETag } from './user-etag.js';
import { LastAdminError, UserChangedError, UserNotFoundError } from './users.errors.js';
import { UserAdministration } from './user-administration.service.js';
import { UsersService } from './users.service.js';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const ADA: User = {
  id: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e',
  email: 'ada@example.com',
  emailCanonical: 'ada@example.com',
  name: 'Ada',
  passwordHash: '$argon2id$hash',
  role: 'user',
  emailVerified: false,
  status: 'active',
  suspendedAt: null,
  suspensionReason: null,
  linksRevokedAt: null,
  totpEnabled: false,
  passkeyCount: 0,
  createdAt: NOW,
  updatedAt: NOW,
};

const AUTH = {
  passwordMinLength: 12,
  passwordMinScore: 3,
  emailRestrictionLevel: 'highly-restrictive',
} as AuthConfig;
/** Built once: its dictionaries take a moment to rank. */
const POLICY = new PasswordPolicy(AUTH);

/** The service over fakes of its collaborators (the SQL is tested against PostgreSQL in test/users). */
function setUp(
  existing: User | null = ADA,
  { otherActiveAdmins = 0, clock = { now: () => NOW } as Clock } = {},
) {
  const repository = {
    insert: jest.fn(async (input: object) => ({ ...ADA, ...input })),
    findById: jest.fn(async () => existing),
    findByEmail: jest.fn(async () => existing),
    findForUpdate: jest.fn(async () => existing),
    update: jest.fn(async () => existing !== null),
    delete: jest.fn(async () => existing !== null),
    lockAdmins: jest.fn(async () => undefined),
    countOtherActiveAdmins: jest.fn(async () => otherActiveAdmins),
  };
  const events = { publish: jest.fn(async () => undefined) };
  const hasher = { hash: jest.fn(async (password: string) => `hashed:${password}`) };
  const transactions = { run: jest.fn((work: (t: Transaction) => Promise<unknown>) => work(TRANSACTION)) };
  const audit = { record: jest.fn(async () => undefined) };
  const service = new UsersService(
    repository as unknown as UsersRepository,
    hasher as unknown as PasswordHasher,
    POLICY,
    new EmailPolicy(AUTH),
    events as unknown as DomainEvents,
    transactions as unknown as Transactions,
    clock,
    audit as unknown as AuditLog,
  );
  const notices = { send: jest.fn(async () => undefined) };
  const administration = new UserAdministration(
    repository as unknown as UsersRepository,
    service,
    transactions as unknown as Transactions,
    notices as unknown as SecurityNotices,
    clock,
    audit as unknown as AuditLog,
    events as unknown as DomainEvents,
  );
  return { service, administration, repository, events, hasher, transactions, audit, notices };
}

describe('UsersService', () => {
  const signUp = { email: 'new@example.com', password: 'correct horse battery 42', name: 'New' };

  it('signs up with the hash and the clock’s time, publishing account.signed-up in the same transaction', async () => {
    const { service, repository, events } = setUp();
    const user = await service.signUp(signUp);
    expect(repository.insert).toHaveBeenCalledWith(
      {
        email: signUp.email,
        name: 'New',
        passwordHash: 'hashed:correct horse battery 42',
        role: 'user',
        createdAt: NOW,
      },
      TRANSACTION,
    );
    expect(events.publish).toHaveBeenCalledWith('account.signed-up', { userId: user.id }, TRANSACTION);
  });

  it('refuses a weak password before hashing anything or touching the database', async () => {
    const { service, repository, hasher } = setUp();
    await expect(service.signUp({ ...signUp, password: 'password1234' })).rejects.toThrow(
      PasswordRejectedError,
    );
    expect(hasher.hash).not.toHaveBeenCalled();
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('refuses a password built from the name, with zxcvbn’s reason', async () => {
    const { service, repository } = setUp();
    const attempt = service.signUp({ ...signUp, name: 'Ada Lovelace', password: 'lovelace1815' });
    await expect(attempt).rejects.toThrow(PasswordRejectedError);
    await expect(attempt).rejects.toMatchObject({
      errors: [{ pointer: '#/password', detail: expect.stringContaining('the email address or the name') }],
    });
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it.each([
    ['a Cyrillic "а" among Latin letters', 'rt-\u0430lice@example.com'],
    ['a Greek "ο" in the domain', 'alice@ex\u03bfmple.com'],
  ])('refuses an address with %s before hashing anything', async (_, email) => {
    const { service, repository, hasher } = setUp();
    const attempt = service.signUp({ ...signUp, email });
    await expect(attempt).rejects.toThrow(EmailRejectedError);
    await expect(attempt).rejects.toMatchObject({ errors: [{ pointer: '#/email' }] });
    expect(hasher.hash).not.toHaveBeenCalled();
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('promotes an existing account to admin, keeping its password, or creates an admin', async () => {
    const promoted = setUp();
    expect(await promoted.administration.createAdmin(signUp)).toMatchObject({ created: false });
    expect(promoted.repository.update).toHaveBeenCalledWith(ADA.id, { role: 'admin' }, NOW, TRANSACTION);
    expect(promoted.hasher.hash).not.toHaveBeenCalled();

    const created = setUp(null);
    created.repository.findByEmail.mockResolvedValueOnce(null);
    expect(await created.administration.createAdmin(signUp)).toMatchObject({ created: true });
    expect(created.repository.insert).toHaveBeenCalledWith(
      expect.objectContaining({ role: 'admin' }),
      TRANSACTION,
    );
  });

  it('shows a user to itself and to admins, and to anyone else a 404 without reading', async () => {
    const { service, repository } = setUp();
    await expect(service.getVisibleTo({ userId: 'someone-else', role: 'user' }, ADA.id)).rejects.toThrow(
      UserNotFoundError,
    );
    expect(repository.findById).not.toHaveBeenCalled();
    await expect(service.getVisibleTo({ userId: ADA.id, role: 'user' }, ADA.id)).resolves.toBe(ADA);
    await expect(service.getVisibleTo({ userId: 'an-admin', role: 'admin' }, ADA.id)).resolves.toBe(ADA);
  });

  it('shows what the request already read with its caller without reading it again, to the same viewers', async () => {
    const { service, repository } = setUp();
    const read = { ...ADA };
    await expect(service.getVisibleTo({ userId: 'an-admin', role: 'admin' }, ADA.id, read)).resolves.toBe(
      read,
    );
    await expect(service.getVisibleTo({ userId: ADA.id, role: 'user' }, ADA.id, read)).resolves.toBe(read);
    await expect(
      service.getVisibleTo({ userId: 'someone-else', role: 'user' }, ADA.id, read),
    ).rejects.toThrow(UserNotFoundError);
    // null: the request read that there is no such account.
    await expect(service.getVisibleTo({ userId: 'an-admin', role: 'admin' }, ADA.id, null)).rejects.toThrow(
      UserNotFoundError,
    );
    expect(repository.findById).not.toHaveBeenCalled();
  });

  it('changes nothing, not even updatedAt, for a patch without members or with the values it has', async () => {
    const { administration, repository } = setUp();
    expect(await administration.update(ADA.id, { name: undefined })).toBe(ADA);
    expect(await administration.update(ADA.id, { name: ADA.name, role: ADA.role })).toBe(ADA);
    expect(repository.update).not.toHaveBeenCalled();
    await administration.update(ADA.id, { name: 'Ada L.', role: ADA.role });
    expect(repository.update).toHaveBeenCalledWith(ADA.id, { name: 'Ada L.' }, NOW, TRANSACTION);
  });

  it('changes a user under If-Match only while its ETag is one of those given, with the row locked', async () => {
    const { administration, repository } = setUp();
    await expect(
      administration.update(ADA.id, { name: 'Stale' }, ['"old"', `W/${userETag(ADA)}`]),
    ).rejects.toThrow(UserChangedError);
    expect(repository.update).not.toHaveBeenCalled();
    const changed = await administration.update(ADA.id, { name: 'Fresh' }, ['"old"', userETag(ADA)]);
    expect(repository.findForUpdate).toHaveBeenCalledWith(ADA.id, TRANSACTION);
    expect(repository.update).toHaveBeenCalledWith(ADA.id, { name: 'Fresh' }, NOW, TRANSACTION);
    expect(changed).toEqual({ ...ADA, name: 'Fresh', updatedAt: NOW });
    expect(userETag(changed)).not.toBe(userETag(ADA));
    await expect(administration.update(ADA.id, { name: 'Any' }, '*')).resolves.toMatchObject({ name: 'Any' });
  });

  it('runs the changes other modules ask for in their transaction', async () => {
    const { service, repository } = setUp();
    await service.setPasswordHash(ADA.id, 'new hash', TRANSACTION);
    await service.markEmailVerified(ADA.id, TRANSACTION);
    expect(repository.update.mock.calls).toEqual([
      [ADA.id, { passwordHash: 'new hash' }, NOW, TRANSACTION],
      [ADA.id, { emailVerified: true }, NOW, TRANSACTION],
    ]);
  });

  it('answers a user that is not there with UserNotFoundError, to read, change or delete', async () => {
    const { administration, service } = setUp(null);
    await expect(service.getById(ADA.id)).rejects.toThrow(UserNotFoundError);
    await expect(administration.update(ADA.id, { name: 'x' })).rejects.toThrow(UserNotFoundError);
    await expect(service.setPasswordHash(ADA.id, 'x')).rejects.toThrow(UserNotFoundError);
    await expect(administration.delete(ADA.id)).rejects.toThrow(UserNotFoundError);
    await expect(service.getForUpdate(ADA.id, TRANSACTION)).rejects.toThrow(UserNotFoundError);
  });

  it('locks a user for another module’s change in that module’s transaction', async () => {
    const { service, repository } = setUp();
    await expect(service.getForUpdate(ADA.id, TRANSACTION)).resolves.toEqual(ADA);
    expect(repository.findForUpdate).toHaveBeenCalledWith(ADA.id, TRANSACTION);
  });

  describe('the last active admin', () => {
    const admin: User = { ...ADA, role: 'admin' };

    it.each([
      ['demoted', (administration: UserAdministration) => administration.update(admin.id, { role: 'user' })],
      [
        'suspended',
        (administration: UserAdministration) => administration.suspend(admin.id, 'why', TRANSACTION),
      ],
      ['deleted', (administration: UserAdministration) => administration.delete(admin.id)],
    ])('cannot be %s: the lock is taken before the count, and nothing changes', async (_, change) => {
      const { administration, repository } = setUp(admin);
      await expect(change(administration)).rejects.toThrow(LastAdminError);
      expect(repository.lockAdmins).toHaveBeenCalledWith(TRANSACTION);
      expect(repository.countOtherActiveAdmins).toHaveBeenCalledWith(admin.id, TRANSACTION);
      expect(repository.lockAdmins.mock.invocationCallOrder[0]).toBeLessThan(
        repository.findForUpdate.mock.invocationCallOrder[0],
      );
      expect(repository.update).not.toHaveBeenCalled();
      expect(repository.delete).not.toHaveBeenCalled();
    });

    it('may go when another active admin stays, in the transaction that counted', async () => {
      const { administration, repository } = setUp(admin, { otherActiveAdmins: 1 });
      await administration.update(admin.id, { role: 'user' });
      expect(repository.update).toHaveBeenCalledWith(admin.id, { role: 'user' }, NOW, TRANSACTION);
      await administration.delete(admin.id);
      expect(repository.delete).toHaveBeenCalledWith(admin.id, TRANSACTION);
    });

    it('does not count for a suspended admin or a user, and a promotion takes no lock', async () => {
      for (const user of [{ ...admin, status: 'suspended' as const }, ADA]) {
        const { administration, repository } = setUp(user);
        await administration.delete(user.id);
        expect(repository.countOtherActiveAdmins).not.toHaveBeenCalled();
        expect(repository.delete).toHaveBeenCalled();
      }
      const { administration, repository } = setUp(ADA);
      await administration.update(ADA.id, { role: 'admin' });
      expect(repository.lockAdmins).not.toHaveBeenCalled();
      expect(repository.update).toHaveBeenCalledWith(ADA.id, { role: 'admin' }, NOW, TRANSACTION);
    });
  });

  describe('suspension', () => {
    it('records the time and the reason in the caller’s transaction, and revokes the links mailed before', async () => {
      const { administration, repository } = setUp();
      const user = await administration.suspend(ADA.id, 'fraud', TRANSACTION);
      expect(repository.update).toHaveBeenCalledWith(
        ADA.id,
        { status: 'suspended', suspendedAt: NOW, suspensionReason: 'fraud', linksRevokedAt: NOW },
        NOW,
        TRANSACTION,
      );
      expect(user).toMatchObject({
        status: 'suspended',
        suspendedAt: NOW,
        suspensionReason: 'fraud',
        updatedAt: NOW,
      });
    });

    it('answers with the time it stored, however the clock moves while it works', async () => {
      let ms = NOW.getTime();
      const { administration, repository } = setUp(ADA, {
        clock: { now: () => new Date(ms++) } as Clock,
      });
      const user = await administration.suspend(ADA.id, 'fraud', TRANSACTION);
      const [[, changes, storedAt]] = repository.update.mock.calls as unknown as [[string, User, Date]];
      expect(user.updatedAt).toEqual(storedAt);
      expect(user.suspendedAt).toEqual(changes.suspendedAt);
    });

    it('keeps a suspension as it was, and lifting one on an active account changes nothing', async () => {
      const suspended: User = { ...ADA, status: 'suspended', suspendedAt: NOW, suspensionReason: 'first' };
      const first = setUp(suspended);
      expect(await first.administration.suspend(ADA.id, 'second', TRANSACTION)).toBe(suspended);
      expect(first.repository.update).not.toHaveBeenCalled();
      const active = setUp();
      expect(await active.administration.unsuspend(ADA.id)).toBe(ADA);
      expect(active.repository.update).not.toHaveBeenCalled();
    });

    it('lifts a suspension, clearing its time and reason', async () => {
      const suspended: User = { ...ADA, status: 'suspended', suspendedAt: NOW, suspensionReason: 'x' };
      const { administration, repository, audit } = setUp(suspended);
      await administration.unsuspend(ADA.id);
      expect(repository.update).toHaveBeenCalledWith(
        ADA.id,
        { status: 'active', suspendedAt: null, suspensionReason: null },
        NOW,
        TRANSACTION,
      );
      expect(audit.record).toHaveBeenCalledWith(
        { type: 'account.unsuspended', subjectUserId: ADA.id },
        TRANSACTION,
      );
    });
  });
});
