import { OrganizationForbiddenError, OrganizationNotFoundError } from '../access/access.errors.js';
import type { OrganizationRole } from '../access/organization-roles.js';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import { DomainEvents } from '../events/domain-events.js';
import type { Organization } from './entities/organization.entity.js';
import { MembersService } from './members.service.js';
import { LastOwnerError, MemberNotFoundError, OwnersOnlyError } from './organizations.errors.js';
import type { OrganizationsRepository } from './organizations.repository.js';

const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const ACME = { id: 'org-1', slug: 'acme' } as Organization;

/** The organization's memberships in memory, and a journal of what the service asked for. */
function subject(members: Record<string, OrganizationRole>, owned: object[] = []) {
  const journal: unknown[][] = [];
  const audited: AuditRecord[] = [];
  const roles = new Map(Object.entries(members));
  const repository = {
    findForUpdate: async (id: string, transaction: Transaction) => {
      journal.push(['lock', id, transaction]);
      return id === ACME.id ? ACME : null;
    },
    membershipOf: async (organizationId: string, userId: string) =>
      roles.has(userId) ? { organizationId, userId, role: roles.get(userId) } : null,
    countOwners: async () => [...roles.values()].filter((r) => r === 'owner').length,
    setRole: async (
      organizationId: string,
      userId: string,
      role: OrganizationRole,
      transaction: Transaction,
    ) => {
      journal.push(['set role', organizationId, userId, role, transaction]);
      roles.set(userId, role);
    },
    removeMember: async (organizationId: string, userId: string, transaction: Transaction) => {
      journal.push(['remove', organizationId, userId, transaction]);
      roles.delete(userId);
    },
    membersPage: async (...args: unknown[]) => {
      journal.push(['page', ...args]);
      return [
        { id: 'u2', createdAt: new Date('2026-12-07T10:00:00.000Z') },
        { id: 'u1', createdAt: new Date('2026-12-07T09:00:00.000Z') },
      ];
    },
    ownedBy: async () => owned,
    delete: async (id: string, transaction: Transaction) => void journal.push(['delete', id, transaction]),
  };
  const events = new DomainEvents();
  const service = new MembersService(
    repository as unknown as OrganizationsRepository,
    { run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION) } as unknown as Transactions,
    {
      record: async (record: AuditRecord, t: Transaction) => void audited.push({ ...record, t } as never),
    } as unknown as AuditLog,
    events,
  );
  service.onModuleInit();
  return { service, journal, audited, roles, events };
}

describe('MembersService', () => {
  it("changes a member's role under the organization's lock, and records it with the role before", async () => {
    const { service, journal, audited, roles } = subject({ boss: 'admin', ada: 'member' });
    await service.changeRole('boss', ACME.id, 'ada', 'admin');
    expect(journal).toEqual([
      ['lock', ACME.id, TRANSACTION],
      ['set role', ACME.id, 'ada', 'admin', TRANSACTION],
    ]);
    expect(roles.get('ada')).toBe('admin');
    expect(audited).toEqual([
      {
        type: 'organization.member-role-changed',
        subjectUserId: 'ada',
        organizationId: ACME.id,
        details: { organizationSlug: 'acme', organizationRole: 'admin', previousOrganizationRole: 'member' },
        t: TRANSACTION,
      },
    ]);
  });

  it('changes nothing and records nothing when the member has the role already', async () => {
    const { service, journal, audited } = subject({ boss: 'owner', ada: 'admin' });
    await service.changeRole('boss', ACME.id, 'ada', 'admin');
    expect(journal).toEqual([['lock', ACME.id, TRANSACTION]]);
    expect(audited).toEqual([]);
  });

  it('keeps the owner role to owners: an admin may neither grant it nor change nor remove an owner', async () => {
    const { service, roles } = subject({ boss: 'admin', ada: 'member', olga: 'owner' });
    await expect(service.changeRole('boss', ACME.id, 'ada', 'owner')).rejects.toThrow(OwnersOnlyError);
    await expect(service.changeRole('boss', ACME.id, 'olga', 'member')).rejects.toThrow(OwnersOnlyError);
    await expect(service.remove('boss', ACME.id, 'olga')).rejects.toThrow(OwnersOnlyError);
    expect(Object.fromEntries(roles)).toEqual({ boss: 'admin', ada: 'member', olga: 'owner' });
  });

  it('lets an owner make another owner, and demote one while another owner is left', async () => {
    const { service, roles } = subject({ olga: 'owner', ada: 'member' });
    await service.changeRole('olga', ACME.id, 'ada', 'owner');
    await service.changeRole('ada', ACME.id, 'olga', 'admin');
    expect(Object.fromEntries(roles)).toEqual({ olga: 'admin', ada: 'owner' });
  });

  it('refuses to demote, or let leave, the last owner, naming the organization', async () => {
    const { service, roles } = subject({ olga: 'owner', ada: 'admin' });
    await expect(service.changeRole('olga', ACME.id, 'olga', 'admin')).rejects.toThrow(
      new LastOwnerError('acme'),
    );
    await expect(service.leave('olga', ACME.id)).rejects.toThrow(LastOwnerError);
    await expect(service.remove('olga', ACME.id, 'olga')).rejects.toThrow(LastOwnerError);
    expect(roles.get('olga')).toBe('owner');
  });

  it("reads the caller's role again under the lock: one who is no longer a member, or may not, is refused", async () => {
    const { service } = subject({ ada: 'member', bob: 'member' });
    await expect(service.changeRole('nobody', ACME.id, 'ada', 'admin')).rejects.toThrow(
      OrganizationNotFoundError,
    );
    await expect(service.changeRole('bob', ACME.id, 'ada', 'admin')).rejects.toThrow(
      OrganizationForbiddenError,
    );
    await expect(service.remove('bob', ACME.id, 'ada')).rejects.toThrow(OrganizationForbiddenError);
    await expect(service.leave('bob', 'org-gone')).rejects.toThrow(OrganizationNotFoundError);
  });

  it('answers a 404 for a member the organization does not have', async () => {
    const { service } = subject({ olga: 'owner' });
    await expect(service.changeRole('olga', ACME.id, 'ghost', 'admin')).rejects.toThrow(MemberNotFoundError);
    await expect(service.remove('olga', ACME.id, 'ghost')).rejects.toThrow(MemberNotFoundError);
  });

  it('removes a member, and lets one leave, recording each with the role they had', async () => {
    const { service, journal, audited, roles } = subject({ olga: 'owner', ada: 'admin', bob: 'member' });
    await service.remove('olga', ACME.id, 'ada');
    await service.leave('bob', ACME.id);
    expect(journal.filter(([name]) => name === 'remove')).toEqual([
      ['remove', ACME.id, 'ada', TRANSACTION],
      ['remove', ACME.id, 'bob', TRANSACTION],
    ]);
    expect(Object.fromEntries(roles)).toEqual({ olga: 'owner' });
    expect(audited.map((a) => [a.type, a.subjectUserId, a.organizationId, a.details])).toEqual([
      [
        'organization.member-removed',
        'ada',
        ACME.id,
        { organizationSlug: 'acme', previousOrganizationRole: 'admin' },
      ],
      [
        'organization.member-left',
        'bob',
        ACME.id,
        { organizationSlug: 'acme', previousOrganizationRole: 'member' },
      ],
    ]);
  });

  it('treats removing oneself as leaving', async () => {
    const { service, audited } = subject({ olga: 'owner', bob: 'member' });
    await service.remove('bob', ACME.id, 'bob');
    expect(audited.map((a) => a.type)).toEqual(['organization.member-left']);
  });

  it('pages the members, one row past the limit telling whether another page follows', async () => {
    const { service, journal } = subject({});
    const page = await service.list(ACME.id, { limit: 1, search: 'ada' });
    expect(journal).toEqual([['page', ACME.id, 'ada', undefined, 2]]);
    expect(page.items.map((m) => m.id)).toEqual(['u2']);
    expect(page.next).not.toBeNull();
  });

  describe("an account's deletion", () => {
    const deleting = (events: DomainEvents) =>
      events.publish('account.deleting', { userId: 'olga' }, TRANSACTION);

    it('deletes the organizations the account owns alone, and records each', async () => {
      const { events, journal, audited } = subject({}, [
        { id: 'org-2', slug: 'solo', otherOwners: 0, otherMembers: 0 },
        { id: 'org-3', slug: 'shared', otherOwners: 1, otherMembers: 4 },
      ]);
      await deleting(events);
      expect(journal).toEqual([['delete', 'org-2', TRANSACTION]]);
      expect(audited).toEqual([
        {
          type: 'organization.deleted',
          subjectUserId: 'olga',
          organizationId: 'org-2',
          details: { organizationSlug: 'solo' },
          t: TRANSACTION,
        },
      ]);
    });

    it('refuses it, naming the organization, while it is the last owner of one with other members', async () => {
      const { events, journal } = subject({}, [
        { id: 'org-3', slug: 'shared', otherOwners: 0, otherMembers: 1 },
      ]);
      await expect(deleting(events)).rejects.toThrow(new LastOwnerError('shared'));
      expect(journal).toEqual([]);
    });
  });
});
