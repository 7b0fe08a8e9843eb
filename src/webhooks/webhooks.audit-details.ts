import { ApiPropertyOptional } from '@nestjs/swagger';
import { WEBHOOK_DISABLED_REASONS } from './entities/webhook-subscription.entity.js';

/** What webhook events record beyond their columns (`details`), for the audit log's schema. */
export class WebhooksAuditDetailsDto {
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36, description: '`webhook.*`: the subscription.' })
  webhookId?: string;

  @ApiPropertyOptional({
    maxLength: 300,
    pattern: '^[^\\s/?#@]+$',
    description:
      '`webhook.created`, `webhook.updated`, `webhook.deleted`, `webhook.secret-rotated`: the host its deliveries go to (never the path, which may carry a token).',
    example: 'hooks.example.com',
  })
  webhookHost?: string;

  @ApiPropertyOptional({
    enum: WEBHOOK_DISABLED_REASONS,
    description:
      '`webhook.disabled`: `gone` (its receiver answered 410), `failing` (deliveries failed for good, five in a row).',
  })
  disabledReason?: string;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 2_147_483_647,
    description: '`webhook.disabled`: deliveries that failed for good in a row.',
  })
  failedDeliveries?: number;
}
