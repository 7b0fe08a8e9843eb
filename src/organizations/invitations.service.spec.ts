import type { OrganizationMembership, Principal } from '../access/principal.js';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import type { AuthConfig } from '../config/auth.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { AccountRateLimit } from '../rate-limit/rate-limit.js';
import type { User } from '../users/entities/user.entity.js';
import type { UsersService } from '../users/users.service.js';
import type { Invitation } from './entities/invitation.entity.js';
import type { Organization } from './entities/organization.entity.js';
import { InvitationsService } from './invitations.service.js';
import type { InvitationsRepository } from './invitations.repository.js';
import {
  AlreadyMemberError,
  EmailNotVerifiedError,
  InvalidInvitationError,
  InvitationNotFoundError,
  OwnersOnlyError,
  TooManyInvitationsError,
} from './organizations.errors.js';
import type { OrganizationsRepository } from './organizations.repository.js';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const ACME = { id: 'org-1', slug: 'acme' } as Organization;
const ADMIN: OrganizationMembership = { organizationId: ACME.id, role: 'admin' };
const INVITATION = {
  id: 'inv-1',
  organizationId: ACME.id,
  email: 'Grace@Example.com',
  emailCanonical: 'grace@example.com',
  role: 'admin',
} as Invitation;

function subject({
  existing = null as User | null,
  memberRole = null as string | null,
  retryAfter = 0,
  live = INVITATION as Invitation | null,
} = {}) {
  const journal: unknown[][] = [];
  const audited: AuditRecord[] = [];
  const invitations = {
    upsert: async (row: object, t: Transaction) => {
      journal.push(['upsert', row, t]);
      return { ...row, id: 'inv-1' };
    },
    page: async (...args: unknown[]) => {
      journal.push(['page', ...args]);
      return [];
    },
    delete: async (organizationId: string, id: string, t: Transaction) => {
      journal.push(['delete invitation', organizationId, id, t]);
      return id === 'inv-1' ? INVITATION : null;
    },
    findLiveByToken: async (hash: Buffer, now: Date, t: Transaction) => {
      journal.push(['find', hash, now, t]);
      return live;
    },
  };
  const organizations = {
    roleOf: async () => memberRole,
    findForUpdate: async (id: string) => (id === ACME.id ? ACME : null),
    membershipOf: async () => (memberRole ? { role: memberRole } : null),
    addMember: async (row: object, t: Transaction) => void journal.push(['add member', row, t]),
  };
  const service = new InvitationsService(
    { orgInvitationTtlSeconds: 7 * 86_400 } as AuthConfig,
    invitations as unknown as InvitationsRepository,
    organizations as unknown as OrganizationsRepository,
    { findByEmail: async () => existing } as unknown as UsersService,
    { run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION) } as unknown as Transactions,
    {
      enqueue: async (queue: string, data: object, t: Transaction) =>
        void journal.push(['enqueue', queue, data, t]),
    } as unknown as JobsService,
    {
      invitationRetryAfter: async (id: string) => (id === ACME.id ? retryAfter : 0),
    } as unknown as AccountRateLimit,
    { record: async (record: AuditRecord) => void audited.push(record) } as unknown as AuditLog,
    { now: () => NOW } as Clock,
  );
  return { service, journal, audited };
}

const caller = (email: string, emailVerified = true) =>
  ({ userId: 'grace', user: { emailCanonical: email, emailVerified } }) as unknown as Principal;

describe('InvitationsService', () => {
  it('stores the invitation for ORG_INVITATION_TTL, queues its mail and records it, in one transaction', async () => {
    const { service, journal, audited } = subject({ existing: { id: 'grace' } as User });
    await service.invite(ADMIN, 'boss', { email: 'Grace@Example.com', role: 'member' });
    expect(journal).toEqual([
      [
        'upsert',
        {
          organizationId: ACME.id,
          email: 'Grace@Example.com',
          emailCanonical: 'grace@example.com',
          role: 'member',
          invitedBy: 'boss',
          createdAt: NOW,
          expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
        },
        TRANSACTION,
      ],
      ['enqueue', 'organization-invitation', { invitationId: 'inv-1' }, TRANSACTION],
    ]);
    expect(audited).toEqual([
      {
        type: 'organization.invitation-sent',
        subjectUserId: 'grace',
        organizationId: ACME.id,
        details: { invitationId: 'inv-1', organizationRole: 'member' },
      },
    ]);
  });

  it('refuses an admin inviting an owner, a member invited again, and an organization over its hourly budget', async () => {
    await expect(
      subject().service.invite(ADMIN, 'boss', { email: 'a@example.com', role: 'owner' }),
    ).rejects.toThrow(OwnersOnlyError);
    const member = subject({ existing: { id: 'grace' } as User, memberRole: 'member' });
    await expect(
      member.service.invite(ADMIN, 'boss', { email: 'a@example.com', role: 'member' }),
    ).rejects.toThrow(AlreadyMemberError);
    const limited = subject({ retryAfter: 120 });
    const refused = limited.service.invite(ADMIN, 'boss', { email: 'a@example.com', role: 'member' });
    await expect(refused).rejects.toThrow(TooManyInvitationsError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 120 });
    for (const { journal } of [member, limited]) expect(journal).toEqual([]);
    // An owner invites an owner; an account that is no member yet is invited.
    const owner = subject({ existing: { id: 'grace' } as User });
    await owner.service.invite({ ...ADMIN, role: 'owner' }, 'olga', {
      email: 'a@example.com',
      role: 'owner',
    });
    expect(owner.journal.map(([name]) => name)).toEqual(['upsert', 'enqueue']);
  });

  it('makes the invited, verified address a member with its role, and spends the invitation', async () => {
    const { service, journal, audited } = subject();
    const joined = await service.accept(caller('grace@example.com'), 'the-token');
    expect(joined).toEqual({ organization: ACME, role: 'admin' });
    expect(journal).toEqual([
      ['find', hashOpaqueToken('the-token'), NOW, TRANSACTION],
      ['delete invitation', ACME.id, 'inv-1', TRANSACTION],
      [
        'add member',
        { organizationId: ACME.id, userId: 'grace', role: 'admin', createdAt: NOW },
        TRANSACTION,
      ],
    ]);
    expect(audited).toEqual([
      {
        type: 'organization.member-added',
        subjectUserId: 'grace',
        organizationId: ACME.id,
        details: { organizationSlug: 'acme', organizationRole: 'admin', invitationId: 'inv-1' },
      },
    ]);
  });

  it('spends the invitation of a member already, adding nothing', async () => {
    const { service, journal, audited } = subject({ memberRole: 'owner' });
    expect(await service.accept(caller('grace@example.com'), 'the-token')).toEqual({
      organization: ACME,
      role: 'owner',
    });
    expect(journal.map(([name]) => name)).toEqual(['find', 'delete invitation']);
    expect(audited).toEqual([]);
  });

  it("answers one 400 for an unknown, spent or expired token and for another address's, and asks for verification", async () => {
    await expect(subject({ live: null }).service.accept(caller('grace@example.com'), 't')).rejects.toThrow(
      InvalidInvitationError,
    );
    await expect(subject().service.accept(caller('mallory@example.com'), 't')).rejects.toThrow(
      InvalidInvitationError,
    );
    const gone = subject({ live: { ...INVITATION, organizationId: 'org-gone' } });
    await expect(gone.service.accept(caller('grace@example.com'), 't')).rejects.toThrow(
      InvalidInvitationError,
    );
    const unverified = subject();
    await expect(unverified.service.accept(caller('grace@example.com', false), 't')).rejects.toThrow(
      EmailNotVerifiedError,
    );
    expect(unverified.journal.map(([name]) => name)).toEqual(['find']);
  });

  it('revokes an invitation of the organization, and records it; another is a 404', async () => {
    const { service, audited } = subject();
    await service.revoke(ACME.id, 'inv-1');
    expect(audited).toEqual([
      {
        type: 'organization.invitation-revoked',
        subjectUserId: null,
        organizationId: ACME.id,
        details: { invitationId: 'inv-1', organizationRole: 'admin' },
      },
    ]);
    await expect(service.revoke(ACME.id, 'inv-2')).rejects.toThrow(InvitationNotFoundError);
  });

  it('pages the invitations', async () => {
    const { service, journal } = subject();
    expect(await service.list(ACME.id, { limit: 5 })).toEqual({ items: [], next: null });
    expect(journal).toEqual([['page', ACME.id, undefined, 6]]);
  });
});
