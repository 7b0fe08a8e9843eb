import { Logger } from '@nestjs/common';
import { OrganizationNotFoundError } from '../access/access.errors.js';
import type { Principal } from '../access/principal.js';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { Organization } from './entities/organization.entity.js';
import { EmailNotVerifiedError, SlugNotConfirmedError } from './organizations.errors.js';
import type { OrganizationsRepository } from './organizations.repository.js';
import { OrganizationsService } from './organizations.service.js';

Logger.overrideLogger(false);

const NOW = new Date('2026-12-07T12:00:00.000Z');
const EARLIER = new Date('2026-12-01T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const ACME: Organization = {
  id: 'org-1',
  name: 'Acme',
  slug: 'acme',
  createdAt: EARLIER,
  updatedAt: EARLIER,
};
const OWNER = { organizationId: ACME.id, role: 'owner' } as const;

function subject() {
  const journal: unknown[][] = [];
  const audited: AuditRecord[] = [];
  const repository = {
    insert: async (row: Omit<Organization, 'id'>, t: Transaction) => {
      journal.push(['insert', row, t]);
      return { ...row, id: 'org-2' };
    },
    addMember: async (row: object, t: Transaction) => void journal.push(['add member', row, t]),
    findById: async (id: string) => (id === ACME.id ? ACME : null),
    findForUpdate: async (id: string, t: Transaction) => {
      journal.push(['lock', id, t]);
      return id === ACME.id ? ACME : null;
    },
    update: async (id: string, changes: object, t: Transaction) =>
      void journal.push(['update', id, changes, t]),
    delete: async (id: string, t: Transaction) => void journal.push(['delete', id, t]),
    listOf: async (...args: unknown[]) => {
      journal.push(['list', ...args]);
      return [];
    },
  };
  const service = new OrganizationsService(
    repository as unknown as OrganizationsRepository,
    { run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION) } as unknown as Transactions,
    {
      record: async (record: AuditRecord, t: Transaction) => void audited.push({ ...record, t } as never),
    } as unknown as AuditLog,
    { now: () => NOW } as Clock,
  );
  return { service, journal, audited };
}

const caller = (emailVerified: boolean) =>
  ({ userId: 'olga', user: { emailVerified } }) as unknown as Principal;

describe('OrganizationsService', () => {
  it('makes the organization with its maker as owner, and records it, in one transaction', async () => {
    const { service, journal, audited } = subject();
    const made = await service.create(caller(true), { name: 'Initech', slug: 'initech' });
    expect(made).toEqual({ id: 'org-2', name: 'Initech', slug: 'initech', createdAt: NOW, updatedAt: NOW });
    expect(journal).toEqual([
      ['insert', { name: 'Initech', slug: 'initech', createdAt: NOW, updatedAt: NOW }, TRANSACTION],
      ['add member', { organizationId: 'org-2', userId: 'olga', role: 'owner', createdAt: NOW }, TRANSACTION],
    ]);
    expect(audited).toEqual([
      {
        type: 'organization.created',
        subjectUserId: 'olga',
        organizationId: 'org-2',
        details: { organizationSlug: 'initech' },
        t: TRANSACTION,
      },
    ]);
  });

  it('refuses an unverified address', async () => {
    const { service, journal } = subject();
    await expect(service.create(caller(false), { name: 'X', slug: 'x' })).rejects.toThrow(
      EmailNotVerifiedError,
    );
    expect(journal).toEqual([]);
  });

  it('changes what is given and keeps the rest, under the lock', async () => {
    const { service, journal, audited } = subject();
    const renamed = await service.update(OWNER, { name: 'Acme Ltd', slug: undefined });
    expect(renamed).toEqual({ ...ACME, name: 'Acme Ltd', updatedAt: NOW });
    expect(journal).toEqual([
      ['lock', ACME.id, TRANSACTION],
      ['update', ACME.id, { name: 'Acme Ltd', slug: 'acme', updatedAt: NOW }, TRANSACTION],
    ]);
    expect(audited.map((a) => [a.type, a.subjectUserId, a.details])).toEqual([
      ['organization.updated', null, { organizationSlug: 'acme' }],
    ]);
    const reslugged = await service.update(OWNER, { slug: 'acme-ltd' });
    expect(reslugged).toMatchObject({ name: 'Acme', slug: 'acme-ltd' });
  });

  it('deletes only when the slug is repeated, and records it', async () => {
    const { service, journal, audited } = subject();
    await expect(service.delete(OWNER, 'Acme')).rejects.toThrow(SlugNotConfirmedError);
    expect(journal).toEqual([['lock', ACME.id, TRANSACTION]]);
    await service.delete(OWNER, 'acme');
    expect(journal.at(-1)).toEqual(['delete', ACME.id, TRANSACTION]);
    expect(audited.map((a) => [a.type, a.organizationId])).toEqual([['organization.deleted', ACME.id]]);
  });

  it('answers the 404 of an unknown organization for one gone since the guard read it', async () => {
    const { service } = subject();
    await expect(service.get('org-gone')).rejects.toThrow(OrganizationNotFoundError);
    await expect(service.update({ ...OWNER, organizationId: 'org-gone' }, {})).rejects.toThrow(
      OrganizationNotFoundError,
    );
    expect(await service.get(ACME.id)).toBe(ACME);
  });

  it("pages the caller's organizations", async () => {
    const { service, journal } = subject();
    expect(await service.listOf('olga', { limit: 20 })).toEqual({ items: [], next: null });
    expect(journal).toEqual([['list', 'olga', undefined, 21]]);
  });
});
