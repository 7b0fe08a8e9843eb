import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { AUDIT_DETAILS_SCHEMA } from '../../audit/dto/audit-event-response.dto.js';
import type { AuditDetails } from '../../audit/audit-event-types.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-event-types.js';

const UUID = { format: 'uuid', maxLength: 36 } as const;

export class WebhookEventDataDto {
  @ApiProperty({ ...UUID, description: 'The audit event (`GET /audit-events` lists it under this id).' })
  eventId: string;

  @ApiProperty({
    ...UUID,
    nullable: true,
    description:
      'Whose account it happened to; null when none (a failed login of an unknown address, a webhook’s own events).',
  })
  userId: string | null;

  @ApiProperty({
    ...UUID,
    nullable: true,
    description:
      'Who did it, when not the account itself (an admin); null for anonymous or the command line.',
  })
  actorUserId: string | null;

  @ApiProperty({
    ...UUID,
    nullable: true,
    description: 'The organization it happened in, for `organization.*` events.',
  })
  organizationId: string | null;

  @ApiProperty({
    description:
      'What the event says beyond its columns, as the audit log records it: never a secret, a token or an address of the request.',
    allOf: [{ $ref: getSchemaPath(AUDIT_DETAILS_SCHEMA) }],
  })
  details: AuditDetails;
}

/**
 * The body of every webhook delivery (POST, `application/json`), in Standard Webhooks' envelope.
 * Its headers: `webhook-id` (the delivery's id, the same on every attempt), `webhook-timestamp`
 * (seconds since 1970) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` under the secret's bytes; two, space-separated, during a
 * rotation's overlap). Verify with any Standard Webhooks library; refuse timestamps older than a few minutes.
 */
export class WebhookEventDto {
  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    description: 'The audit log’s event type.',
    example: 'account.signed-up',
  })
  type: WebhookEventType;

  @ApiProperty({
    format: 'date-time',
    maxLength: 30,
    description: 'When it happened.',
    example: '2026-12-07T10:00:00.000Z',
  })
  timestamp: string;

  @ApiProperty({ type: WebhookEventDataDto })
  data: WebhookEventDataDto;
}
