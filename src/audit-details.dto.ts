import { IntersectionType } from '@nestjs/swagger';
import { ApiKeysAuditDetailsDto } from './api-keys/api-keys.audit-details.js';
import { AccountEmailsAuditDetailsDto } from './account-emails/account-emails.audit-details.js';
import { AuditOriginDetailsDto } from './audit/dto/audit-event-response.dto.js';
import { AuthAuditDetailsDto } from './auth/auth.audit-details.js';
import { KeysAuditDetailsDto } from './keys/keys.audit-details.js';
import { MfaAuditDetailsDto } from './mfa/mfa.audit-details.js';
import { OrganizationsAuditDetailsDto } from './organizations/organizations.audit-details.js';
import { UsersAuditDetailsDto } from './users/users.audit-details.js';
import { WebhooksAuditDetailsDto } from './webhooks/webhooks.audit-details.js';

/**
 * What the audit log's `details` may hold: each module documents the members of the events it
 * records, and the composition root, which knows every module, joins them here (the audit module
 * names this schema, AUDIT_DETAILS_SCHEMA, without knowing anyone's events). A module that records
 * events with details of its own adds its class to this list.
 */
export class AuditDetailsDto extends IntersectionType(
  AuditOriginDetailsDto,
  UsersAuditDetailsDto,
  AuthAuditDetailsDto,
  AccountEmailsAuditDetailsDto,
  MfaAuditDetailsDto,
  KeysAuditDetailsDto,
  ApiKeysAuditDetailsDto,
  OrganizationsAuditDetailsDto,
  WebhooksAuditDetailsDto,
) {}
