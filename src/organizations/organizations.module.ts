import { Module } from '@nestjs/common';
import { OrganizationMemberships } from '../access/principals.js';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { EventsModule } from '../events/events.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.js';
import { UsersModule } from '../users/users.module.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { OrganizationInvitationSenderModule } from './organization-invitation-sender.module.js';
import { OrganizationMembershipsService } from './organization-memberships.js';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsService } from './organizations.service.js';

/**
 * Organizations (`organizations`, `memberships`, `invitations`): teams of accounts with a role
 * each. It gives the access layer its `OrganizationMemberships` (the guard's check behind
 * `@Access({ organization })`), which the auth module hands to the guard, and refuses the deletion
 * of an account that is the last owner of an organization with members (`account.deleting`).
 */
@Module({
  imports: [OrganizationInvitationSenderModule, UsersModule, AuditLogModule, RateLimitModule, EventsModule],
  controllers: [OrganizationsController, MembersController, InvitationsController],
  providers: [
    OrganizationsService,
    MembersService,
    InvitationsService,
    { provide: OrganizationMemberships, useClass: OrganizationMembershipsService },
  ],
  exports: [OrganizationMemberships],
})
export class OrganizationsModule {}
