import { escapeHtml } from '../common/html.js';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { newOpaqueToken } from '../common/opaque-tokens.js';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { durationInWords } from '../config/environment.js';
import { JobsService } from '../jobs/jobs.service.js';
import { Mailer, type Mail } from '../mail/mailer.js';
import { OrganizationsRepository } from './organizations.repository.js';
import { INVITATION_QUEUE, type InvitationJob } from './invitation.job.js';
import { InvitationsRepository } from './invitations.repository.js';

/** The page of the front end that accepts an invitation: `<APP_PUBLIC_URL>/accept-invitation?token=…`. */
export const ACCEPT_INVITATION_PAGE = 'accept-invitation';

/** Works the invitation queue: gives the invitation its token and mails the link. */
@Injectable()
export class InvitationSender implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly invitations: InvitationsRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.defineQueue<InvitationJob>(INVITATION_QUEUE, (job) => this.send(job));
  }

  /** Nothing when the invitation is gone (accepted, revoked, replaced by a later one) or expired. */
  async send({ invitationId }: InvitationJob): Promise<void> {
    const invitation = await this.invitations.findById(invitationId);
    if (!invitation || invitation.expiresAt <= this.clock.now()) return;
    const organization = await this.organizations.findById(invitation.organizationId);
    if (!organization) return;
    const { token, hash } = newOpaqueToken();
    if (!(await this.invitations.setToken(invitation.id, hash))) return;
    const link = `${this.app.publicUrl}/${ACCEPT_INVITATION_PAGE}?token=${token}`;
    const validFor = durationInWords(
      Math.round((invitation.expiresAt.getTime() - this.clock.now().getTime()) / 1000),
    );
    await this.mailer.send(
      invitationMail(invitation.email, organization.name, invitation.role, link, validFor),
    );
  }
}

function invitationMail(
  to: string,
  organization: string,
  role: string,
  link: string,
  validFor: string,
): Mail {
  const lines = [
    `You are invited to join ${organization} as ${role === 'member' ? 'a member' : `an ${role}`}.`,
    `Sign in (or sign up with this address and verify it), then accept the invitation at the link below. It works once, within ${validFor}.`,
    'If you did not expect this, ignore this mail.',
  ];
  return {
    to,
    subject: `Join ${organization}`,
    text: `Hello,\n\n${lines.join('\n\n')}\n\n${link}\n\n— Gatehouse\n`,
    html: `<!doctype html><html><body><p>Hello,</p>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}<p><a href="${escapeHtml(link)}">Accept the invitation</a></p><p>— Gatehouse</p></body></html>`,
  };
}
