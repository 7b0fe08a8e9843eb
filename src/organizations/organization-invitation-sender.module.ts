import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module.js';
import { UsersModule } from '../users/users.module.js';
import { Invitation } from './entities/invitation.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Organization } from './entities/organization.entity.js';
import { InvitationSender } from './invitation.sender.js';
import { InvitationsRepository } from './invitations.repository.js';
import { OrganizationsRepository } from './organizations.repository.js';

/**
 * The sending side of invitations: the handler of the `organization-invitation` queue and the
 * repositories it reads. The API (through OrganizationsModule) and `npm run worker` import it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Organization, Membership, Invitation]), MailModule, UsersModule],
  providers: [InvitationSender, InvitationsRepository, OrganizationsRepository],
  exports: [InvitationsRepository, OrganizationsRepository, TypeOrmModule],
})
export class OrganizationInvitationSenderModule {}
