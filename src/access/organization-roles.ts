/**
 * Roles within an organization and what each may do there: the one table the access layer reads
 * for `@Access({ organization: permission })`. A role is a member's in one organization; it is not
 * the account's role (`user`, `admin`), which says nothing about any organization.
 */
export const ORGANIZATION_ROLES = ['owner', 'admin', 'member'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

export const ORGANIZATION_PERMISSIONS = [
  'organizations:read',
  'organizations:update',
  'organizations:delete',
  'members:read',
  'members:invite',
  'members:update',
  'members:remove',
  'audit:read',
  // The organization's own data: the rows of the modules a team adds (`nest g feature x --type
  // organization`), which every member reads and changes unless the table says otherwise.
  'data:read',
  'data:write',
] as const;
export type OrganizationPermission = (typeof ORGANIZATION_PERMISSIONS)[number];

const READ: OrganizationPermission[] = ['organizations:read', 'members:read', 'data:read', 'data:write'];
const MANAGE: OrganizationPermission[] = [
  ...READ,
  'organizations:update',
  'members:invite',
  'members:update',
  'members:remove',
  'audit:read',
];

/**
 * Who may do what. An admin manages members but never an owner: granting, changing or removing
 * the owner role is the owners' alone (the service checks that, since it depends on the target).
 */
export const ORGANIZATION_ROLE_PERMISSIONS: Record<OrganizationRole, readonly OrganizationPermission[]> = {
  owner: [...MANAGE, 'organizations:delete'],
  admin: MANAGE,
  member: READ,
};

export const mayIn = (role: OrganizationRole, permission: OrganizationPermission): boolean =>
  ORGANIZATION_ROLE_PERMISSIONS[role].includes(permission);
