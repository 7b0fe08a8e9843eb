import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsRFC3339, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../audit-event-types.js';

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
