import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IP_ADDRESS_MAX_LENGTH, USER_AGENT_MAX_LENGTH } from '../../common/http/client-info.js';
import { PAGE_MAX_LIMIT } from '../../common/pagination/page-query.dto.js';
import { ApiNextCursor } from '../../common/swagger/api-page.decorator.js';
import { AUDIT_EVENT_TYPES, type AuditDetails, type AuditEventType } from '../audit-event-types.js';
import type { AuditEvent } from '../entities/audit-event.entity.js';

/** The schema of `details`: every module's members, joined by the composition root. */
export const AUDIT_DETAILS_SCHEMA = 'AuditDetailsDto';

const IP_ADDRESS = { maxLength: IP_ADDRESS_MAX_LENGTH, pattern: '^[0-9A-Za-z:.%_-]+$' } as const;
const USER_AGENT = {
  type: String,
  nullable: true,
  maxLength: USER_AGENT_MAX_LENGTH,
  description: 'The `User-Agent` header of the request.',
  example: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
};

/**
 * What any event may say beyond its columns, whichever module records it. Each module documents its
 * own events' members (`<module>.audit-details.ts`); the composition root joins them into the
 * `AuditDetailsDto` schema that `details` refers to (src/audit-details.dto.ts).
 */
export class AuditOriginDetailsDto {
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
    description: 'The organization it happened in; null for an event of an account alone.',
    example: null,
  })
  organizationId: string | null;

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
    allOf: [{ $ref: getSchemaPath(AUDIT_DETAILS_SCHEMA) }],
    description: 'Facts about the event, never a password, token, code, hash or secret.',
    example: { reason: 'wrong-password' },
  })
  details: AuditDetails;

  static from(event: AuditEvent): AuditEventResponseDto {
    return {
      ...event,
      occurredAt: event.occurredAt.toISOString(),
      details: event.details,
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
