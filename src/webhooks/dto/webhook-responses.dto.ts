import { ApiProperty } from '@nestjs/swagger';
import { ONE_LINE_TEXT } from '../../common/http/text-fields.js';
import { PAGE_MAX_LIMIT } from '../../common/pagination/page-query.dto.js';
import { ApiNextCursor } from '../../common/swagger/api-page.decorator.js';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_ERROR_MAX_LENGTH,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
} from '../entities/webhook-delivery.entity.js';
import {
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  WEBHOOK_DISABLED_REASONS,
  WEBHOOK_URL_MAX_LENGTH,
  type WebhookDisabledReason,
  type WebhookSubscription,
} from '../entities/webhook-subscription.entity.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-event-types.js';

const DATE_TIME = { format: 'date-time', maxLength: 30, example: '2026-12-07T10:00:00.000Z' } as const;
const UUID = { format: 'uuid', maxLength: 36, example: '0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b' } as const;
const SECRET = {
  pattern: '^whsec_[A-Za-z0-9+/]{32}$',
  maxLength: 38,
  description:
    'The signing secret (Standard Webhooks: `whsec_` and 24 bytes in base64), shown this once. Verify each delivery’s `webhook-signature` with it (any Standard Webhooks library does).',
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

export class WebhookResponseDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({
    maxLength: WEBHOOK_URL_MAX_LENGTH,
    format: 'uri',
    pattern: '^https?://',
    example: 'https://hooks.example.com/gatehouse',
  })
  url: string;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: WEBHOOK_DESCRIPTION_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    example: 'Provision accounts in the billing system',
  })
  description: string | null;

  @ApiProperty({
    isArray: true,
    enum: WEBHOOK_EVENT_TYPES as string[],
    minItems: 1,
    maxItems: WEBHOOK_EVENT_TYPES.length,
    example: ['account.signed-up'],
  })
  events: WebhookEventType[];

  @ApiProperty({ description: 'Whether events are delivered to it.', example: true })
  enabled: boolean;

  @ApiProperty({
    type: String,
    // A nullable enum lists null among its values (OpenAPI 3.0.3 §4.7.25).
    enum: [...WEBHOOK_DISABLED_REASONS, null],
    nullable: true,
    description:
      'Why the server disabled it: `gone` (its receiver answered 410 Gone), `failing` (deliveries failed for good five times in a row); null when enabled or disabled by an admin.',
    example: null,
  })
  disabledReason: WebhookDisabledReason | null;

  @ApiProperty({
    ...DATE_TIME,
    type: String,
    nullable: true,
    description: 'Until when the secret before the last rotation still signs, beside the current one.',
    example: null,
  })
  previousSecretExpiresAt: string | null;

  @ApiProperty(DATE_TIME)
  createdAt: string;

  @ApiProperty(DATE_TIME)
  updatedAt: string;

  static from(subscription: WebhookSubscription, now = new Date()): WebhookResponseDto {
    const previous = subscription.previousSecretExpiresAt;
    return {
      id: subscription.id,
      url: subscription.url,
      description: subscription.description,
      events: subscription.events,
      enabled: subscription.enabled,
      disabledReason: subscription.disabledReason,
      previousSecretExpiresAt: previous && previous > now ? previous.toISOString() : null,
      createdAt: subscription.createdAt.toISOString(),
      updatedAt: subscription.updatedAt.toISOString(),
    };
  }
}

export class CreatedWebhookDto extends WebhookResponseDto {
  @ApiProperty(SECRET)
  secret: string;
}

export class RotatedWebhookSecretDto {
  @ApiProperty(SECRET)
  secret: string;

  @ApiProperty({
    ...DATE_TIME,
    description:
      'Until then the previous secret signs too (WEBHOOK_SECRET_OVERLAP): move the receiver to the new one before.',
  })
  previousSecretExpiresAt: string;
}

export class WebhookPageDto {
  @ApiProperty({ type: [WebhookResponseDto], maxItems: PAGE_MAX_LIMIT, description: 'Newest first.' })
  items: WebhookResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}

export class WebhookDeliveryResponseDto {
  @ApiProperty({ ...UUID, description: 'Also its `webhook-id` header: the same on every attempt.' })
  id: string;

  @ApiProperty({ ...UUID, description: 'The audit event it tells of.' })
  eventId: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, example: 'account.signed-up' })
  eventType: WebhookEventType;

  @ApiProperty({
    enum: WEBHOOK_DELIVERY_STATUSES,
    description:
      '`pending`: being attempted, or waiting for its next retry. `waiting`: an earlier delivery of the same account’s events to this endpoint is still pending; this one goes after it. `succeeded`: a 2xx answered. `failed`: every attempt failed, the endpoint answered 410, or it was disabled.',
    example: 'succeeded',
  })
  status: WebhookDeliveryStatus;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 100,
    example: 1,
    description: 'Attempts started.',
  })
  attempts: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 100,
    maximum: 599,
    nullable: true,
    example: 204,
    description: 'The status the last attempt was answered with; null when it got no answer.',
  })
  lastStatusCode: number | null;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 3_600_000,
    nullable: true,
    example: 42,
    description: 'Milliseconds the last attempt took.',
  })
  lastLatencyMs: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: WEBHOOK_ERROR_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    description:
      'Why the last attempt failed (`HTTP 500`, `timed out`, `ECONNREFUSED`, `refused: …`); never the receiver’s body.',
    example: null,
  })
  lastError: string | null;

  @ApiProperty({ ...DATE_TIME, type: String, nullable: true })
  lastAttemptAt: string | null;

  @ApiProperty(DATE_TIME)
  createdAt: string;

  @ApiProperty({
    ...DATE_TIME,
    type: String,
    nullable: true,
    description: 'When it succeeded or failed for good.',
  })
  settledAt: string | null;

  static from(delivery: WebhookDelivery): WebhookDeliveryResponseDto {
    return {
      id: delivery.id,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      status: delivery.status,
      attempts: delivery.attempts,
      lastStatusCode: delivery.lastStatusCode,
      lastLatencyMs: delivery.lastLatencyMs,
      lastError: delivery.lastError,
      lastAttemptAt: delivery.lastAttemptAt?.toISOString() ?? null,
      createdAt: delivery.createdAt.toISOString(),
      settledAt: delivery.settledAt?.toISOString() ?? null,
    };
  }
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryResponseDto], maxItems: PAGE_MAX_LIMIT, description: 'Newest first.' })
  items: WebhookDeliveryResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}
