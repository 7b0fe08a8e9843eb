import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsRFC3339, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { RequestValidationError } from '../../common/errors/domain-error.js';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../audit-event-types.js';
import type { AuditFilter } from '../audit-events.repository.js';

const TIME = {
  format: 'date-time',
  maxLength: 40,
} as const;

/** `GET /audit-events`: a page of the log, narrowed by whom it concerns, who did it, what and when. */
export class ListAuditEventsQuery extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36, description: 'Events of this account only.' })
  @IsOptional()
  @IsUUID()
  subjectUserId?: string;

  @ApiPropertyOptional({ format: 'uuid', maxLength: 36, description: 'Events this user did only.' })
  @IsOptional()
  @IsUUID()
  actorUserId?: string;

  @ApiPropertyOptional({
    enum: AUDIT_EVENT_TYPES,
    isArray: true,
    maxItems: AUDIT_EVENT_TYPES.length,
    description:
      'Events of these types only; repeat the parameter for several (`type=login.failed&type=login.locked`).',
    example: ['login.failed', 'login.locked'],
  })
  @IsOptional()
  // One value arrives as a string, several as an array.
  @Transform(({ value }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMaxSize(AUDIT_EVENT_TYPES.length)
  @IsIn(AUDIT_EVENT_TYPES, { each: true })
  type?: AuditEventType[];

  @ApiPropertyOptional({
    ...TIME,
    description: 'Events at or after this time (RFC 3339, with its offset).',
    example: '2026-11-01T00:00:00Z',
  })
  @IsOptional()
  @MaxLength(TIME.maxLength)
  @IsRFC3339()
  since?: string;

  @ApiPropertyOptional({
    ...TIME,
    description: 'Events before this time (RFC 3339, with its offset).',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @MaxLength(TIME.maxLength)
  @IsRFC3339()
  until?: string;
}

/** The log's filter the query asks for, its times as instants. */
export function auditFilterOf(query: ListAuditEventsQuery): AuditFilter {
  return {
    subjectUserId: query.subjectUserId,
    actorUserId: query.actorUserId,
    types: query.type,
    since: query.since === undefined ? undefined : instantOf(query.since, 'since'),
    until: query.until === undefined ? undefined : instantOf(query.until, 'until'),
  };
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** An RFC 3339 time as an instant; a day the calendar lacks (`2026-02-30`) is refused, not rolled over. */
function instantOf(value: string, parameter: string): Date {
  const [, year, month, day] = CALENDAR_DATE.exec(value) ?? [];
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const instant = new Date(value);
  if (date.getUTCDate() !== Number(day) || Number.isNaN(instant.getTime()))
    throw new RequestValidationError([{ parameter, detail: 'is not a date the calendar has' }]);
  return instant;
}
