import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SECOND_FACTOR_METHODS, type SecondFactorMethod } from '../../auth/entities/session.entity.js';
import { EMAIL_MAX_LENGTH, ONE_LINE_TEXT } from '../../common/http/text-fields.js';
import { MAX_PASSKEYS_PER_USER, PASSKEY_NAME_MAX_LENGTH } from '../../mfa/entities/passkey.entity.js';
import { RECOVERY_CODE_COUNT } from '../../mfa/recovery-codes.js';
import { ApiNextCursor } from '../../common/swagger/api-page.decorator.js';
import { SUSPENSION_REASON_MAX_LENGTH, USER_ROLES, type UserRole } from '../../users/entities/user.entity.js';
import { IP_ADDRESS_MAX_LENGTH, USER_AGENT_MAX_LENGTH } from '../../common/http/client-info.js';
import {
  AUDIT_EVENT_TYPES,
  FAILED_PROOFS,
  ROUTE_MAX_LENGTH,
  type FailedProof,
  LOGIN_FAILURE_REASONS,
  type AuditEventType,
  type LoginFailureReason,
} from '../audit-event-types.js';
import type { AuditEvent } from '../entities/audit-event.entity.js';
import { PAGE_MAX_LIMIT } from '../../common/pagination/page-query.dto.js';

const IP_ADDRESS = { maxLength: IP_ADDRESS_MAX_LENGTH, pattern: '^[0-9A-Za-z:.%_-]+$' } as const;
const USER_AGENT = {
  type: String,
  nullable: true,
  maxLength: USER_AGENT_MAX_LENGTH,
  description: 'The `User-Agent` header of the request.',
  example: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
};

/** What an event may say beyond its columns; each member belongs to the types named. */
export class AuditDetailsDto {
  @ApiPropertyOptional({
    enum: LOGIN_FAILURE_REASONS,
    description: '`login.failed`: why.',
    example: 'wrong-password',
  })
  reason?: LoginFailureReason;

  @ApiPropertyOptional({
    format: 'idn-email',
    maxLength: EMAIL_MAX_LENGTH,
    description: '`account.signed-up`: the address; `email.change-confirmed`: the new address.',
  })
  email?: string;

  @ApiPropertyOptional({
    format: 'idn-email',
    maxLength: EMAIL_MAX_LENGTH,
    description: '`email.change-confirmed`: the address it replaced.',
  })
  previousEmail?: string;

  @ApiPropertyOptional({
    format: 'idn-email',
    maxLength: EMAIL_MAX_LENGTH,
    description: '`email.change-requested`: the address asked for.',
  })
  newEmail?: string;

  @ApiPropertyOptional({
    enum: USER_ROLES,
    description: '`account.signed-up`, `account.role-changed`: the role.',
  })
  role?: UserRole;

  @ApiPropertyOptional({ enum: USER_ROLES, description: '`account.role-changed`: the role before.' })
  previousRole?: UserRole;

  @ApiPropertyOptional({
    maxLength: SUSPENSION_REASON_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    description: '`account.suspended`: the admin’s reason.',
  })
  suspensionReason?: string;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    description: '`login.locked`: for how long, in seconds.',
  })
  lockedSeconds?: number;

  @ApiPropertyOptional({
    enum: SECOND_FACTOR_METHODS,
    description: '`login.succeeded`: the second factor the sign-in was finished with, when there was one.',
  })
  secondFactor?: SecondFactorMethod;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: RECOVERY_CODE_COUNT,
    description: '`mfa.recovery-code-used`: the unused recovery codes left.',
  })
  remaining?: number;

  @ApiPropertyOptional({ description: '`mfa.reset`: whether an authenticator app was removed.' })
  hadTotp?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: MAX_PASSKEYS_PER_USER,
    description: '`mfa.reset`: how many passkeys were removed.',
  })
  passkeys?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: 36,
    description: '`mfa.passkey-added`, `mfa.passkey-renamed`, `mfa.passkey-removed`: the passkey.',
  })
  passkeyId?: string;

  @ApiPropertyOptional({
    maxLength: PASSKEY_NAME_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    description:
      '`mfa.passkey-added`, `mfa.passkey-renamed`, `mfa.passkey-removed`: its name (the new one when renamed).',
  })
  name?: string;

  @ApiPropertyOptional({
    enum: FAILED_PROOFS,
    description:
      '`session.reauthenticated`: what the session proved itself with. `proof.failed`: the proof that was wrong.',
  })
  proof?: FailedProof;

  @ApiPropertyOptional({
    description:
      '`account.deleted`: by the retention job, the address never verified within AUTH_UNVERIFIED_ACCOUNT_TTL.',
  })
  neverVerified?: boolean;

  @ApiPropertyOptional({
    description: '`proof.failed`: the login lock refused the attempt (recorded once per lock).',
  })
  locked?: boolean;

  @ApiPropertyOptional({
    maxLength: ROUTE_MAX_LENGTH,
    pattern: '^[A-Z]+ /\\S*$',
    example: 'GET /api/v1/users',
    description: '`access.denied`: the method and route a signed-in caller’s role may not use.',
  })
  route?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    ...IP_ADDRESS,
    description:
      '`session.refresh-token-reused`: the address of the client that had spent the token (the event’s own `ipAddress` is the one that presented it again).',
  })
  spentByIpAddress?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: USER_AGENT_MAX_LENGTH,
    description: '`session.refresh-token-reused`: the `User-Agent` of the client that had spent the token.',
  })
  spentByUserAgent?: string | null;

  @ApiPropertyOptional({
    description:
      '`password.reset-completed`: the address had never been verified, so every second factor, session, pending sign-in and link that whoever set the account up had made was removed with the reset (account pre-hijacking).',
  })
  reclaimed?: boolean;

  @ApiPropertyOptional({ enum: ['cli'], description: 'An operator did it with `npm run cli`.' })
  via?: 'cli';
}

/** One event of the audit log, as an admin reads it. */
export class AuditEventResponseDto {
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '7d1f1c3e-2b7a-4f0e-8e54-6a1b9c0d2e3f' })
  id: string;

  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-30T08:15:00.000Z' })
  occurredAt: string;

  @ApiProperty({ enum: AUDIT_EVENT_TYPES, example: 'login.failed' })
  type: AuditEventType;

  @ApiProperty({
    type: String,
    format: 'uuid',
    maxLength: 36,
    nullable: true,
    description:
      'Who did it: the signed-in caller, the user who signed in, or null (anonymous, or an operator at the command line: `details.via` is `cli`).',
    example: null,
  })
  actorUserId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    maxLength: 36,
    nullable: true,
    description: 'Whose account it happened to; null for a failed login with an unknown email.',
    example: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e',
  })
  subjectUserId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    maxLength: 36,
    nullable: true,
    description: 'The session concerned (started, ended, or the one the caller used).',
    example: null,
  })
  sessionId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    ...IP_ADDRESS,
    description:
      'The client address, as `TRUST_PROXY` decides it; for an event of a job, the address of the request that queued it.',
    example: '203.0.113.7',
  })
  ipAddress: string | null;

  @ApiProperty(USER_AGENT)
  userAgent: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 128,
    pattern: '^[\\w.:-]+$',
    description: 'The `X-Request-Id` of the request, as in the request log.',
    example: 'req-1a2b3c',
  })
  requestId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 32,
    pattern: '^[0-9a-f]{32}$',
    description: 'The W3C trace id, when tracing is on (`OTEL_EXPORTER_OTLP_ENDPOINT`).',
    example: '4bf92f3577b34da6a3ce929d0e0e4736',
  })
  traceId: string | null;

  @ApiProperty({
    type: AuditDetailsDto,
    description: 'Facts about the event, never a password, token, code, hash or secret.',
    example: { reason: 'wrong-password' },
  })
  details: AuditDetailsDto;

  static from(event: AuditEvent): AuditEventResponseDto {
    return {
      ...event,
      occurredAt: event.occurredAt.toISOString(),
      details: event.details as AuditDetailsDto,
    };
  }
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventResponseDto], maxItems: PAGE_MAX_LIMIT, description: 'Newest first.' })
  items: AuditEventResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}

/** One event of a person's own account, as an account-security page shows it. */
export class SecurityEventResponseDto {
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '7d1f1c3e-2b7a-4f0e-8e54-6a1b9c0d2e3f' })
  id: string;

  @ApiProperty({ enum: AUDIT_EVENT_TYPES, example: 'login.succeeded' })
  type: AuditEventType;

  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-30T08:15:00.000Z' })
  occurredAt: string;

  @ApiProperty({
    type: String,
    nullable: true,
    ...IP_ADDRESS,
    example: '203.0.113.7',
    description: 'Where it came from; null when an administrator did it (their address is not yours to see).',
  })
  ipAddress: string | null;

  @ApiProperty({
    ...USER_AGENT,
    description: 'The `User-Agent` of the request; null when an administrator did it.',
  })
  userAgent: string | null;

  @ApiProperty({
    description: 'True when an administrator did it (a suspension, a role change, a reset link), not you.',
    example: false,
  })
  byAdministrator: boolean;

  /** An administrator's action names the action only: their address and agent are theirs (I7). */
  static from(event: AuditEvent): SecurityEventResponseDto {
    const byOther = event.actorUserId !== null && event.actorUserId !== event.subjectUserId;
    const byAdministrator = byOther || event.details.via === 'cli';
    return {
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      ipAddress: byAdministrator ? null : event.ipAddress,
      userAgent: byAdministrator ? null : event.userAgent,
      byAdministrator,
    };
  }
}

export class SecurityEventPageDto {
  @ApiProperty({ type: [SecurityEventResponseDto], maxItems: PAGE_MAX_LIMIT, description: 'Newest first.' })
  items: SecurityEventResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}
