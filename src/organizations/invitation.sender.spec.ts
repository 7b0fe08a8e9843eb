import type { Clock } from '../common/clock.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import type { AppConfig } from '../config/app.config.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { Mail, Mailer } from '../mail/mailer.js';
import type { Invitation } from './entities/invitation.entity.js';
import { InvitationSender } from './invitation.sender.js';
import type { InvitationsRepository } from './invitations.repository.js';
import type { OrganizationsRepository } from './organizations.repository.js';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const INVITATION = {
  id: 'inv-1',
  organizationId: 'org-1',
  email: 'grace@example.com',
  role: 'admin',
  expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
} as Invitation;

function subject({ invitation = INVITATION as Invitation | null, organization = true, stored = true } = {}) {
  const mails: Mail[] = [];
  const hashes: Buffer[] = [];
  const queues: string[] = [];
  const sender = new InvitationSender(
    { defineQueue: (name: string) => void queues.push(name) } as unknown as JobsService,
    {
      findById: async () => invitation,
      setToken: async (_: string, hash: Buffer) => {
        hashes.push(hash);
        return stored;
      },
    } as unknown as InvitationsRepository,
    {
      findById: async () => (organization ? { id: 'org-1', name: 'Acme <script>' } : null),
    } as unknown as OrganizationsRepository,
    { send: async (mail: Mail) => void mails.push(mail) } as unknown as Mailer,
    { now: () => NOW } as Clock,
    { publicUrl: 'https://accounts.example.com' } as AppConfig,
  );
  return { sender, mails, hashes, queues };
}

describe('InvitationSender', () => {
  it('works the invitation queue', () => {
    const { sender, queues } = subject();
    sender.onModuleInit();
    expect(queues).toEqual(['organization-invitation']);
  });

  it('gives the invitation a new token, keeps only its hash, and mails the link to the invited address', async () => {
    const { sender, mails, hashes } = subject();
    await sender.send({ invitationId: 'inv-1' });
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    const token = /https:\/\/accounts\.example\.com\/accept-invitation\?token=([A-Za-z0-9_-]{43})\n/.exec(
      mail!.text,
    )?.[1];
    expect(token).toBeDefined();
    expect(hashes).toEqual([hashOpaqueToken(token!)]);
    expect(mail).toMatchObject({ to: 'grace@example.com', subject: 'Join Acme <script>' });
    expect(mail!.text).toContain('join Acme <script> as an admin');
    expect(mail!.text).toContain('within 7 days');
    expect(mail!.html).toContain('Acme &#60;script&#62;');
    expect(mail!.html).not.toContain('<script>');
  });

  it('sends nothing for an invitation gone, expired, of an organization gone, or spent meanwhile', async () => {
    for (const options of [
      { invitation: null },
      { invitation: { ...INVITATION, expiresAt: NOW } },
      { organization: false },
      { stored: false },
    ]) {
      const { sender, mails } = subject(options);
      await sender.send({ invitationId: 'inv-1' });
      expect({ options, mails }).toEqual({ options, mails: [] });
    }
  });
});
