import { Injectable } from '@nestjs/common';
import type { OrganizationRole } from '../access/organization-roles.js';
import { OrganizationMemberships } from '../access/principals.js';
import { OrganizationsRepository } from './organizations.repository.js';

/** The access layer's port, answered from `memberships` on every organization-scoped request. */
@Injectable()
export class OrganizationMembershipsService extends OrganizationMemberships {
  constructor(private readonly repository: OrganizationsRepository) {
    super();
  }

  roleOf(organizationId: string, userId: string): Promise<OrganizationRole | null> {
    return this.repository.roleOf(organizationId, userId);
  }
}
