import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { ONE_LINE_TEXT, PlainText } from '../../common/http/text-fields.js';
import {
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  WEBHOOK_URL_MAX_LENGTH,
} from '../entities/webhook-subscription.entity.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-event-types.js';

const URL_FIELD = {
  maxLength: WEBHOOK_URL_MAX_LENGTH,
  format: 'uri',
  pattern: '^https?://',
  description:
    'Where deliveries are POSTed: `https` (plain `http` only where WEBHOOK_ALLOW_HTTP=true), no user name or password, and a host whose every address is public (no loopback, private, link-local or metadata address unless WEBHOOK_ALLOW_PRIVATE=true). Checked now and again before every attempt; redirects are never followed.',
  example: 'https://hooks.example.com/gatehouse',
};
const EVENTS_FIELD = {
  isArray: true,
  enum: WEBHOOK_EVENT_TYPES as string[],
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length,
  uniqueItems: true,
  description:
    'The audit log’s event types this endpoint receives (the `WebhookEvent` schema says what each carries).',
  example: ['account.signed-up', 'email.verified', 'account.suspended', 'account.deleted'],
};
const DESCRIPTION_FIELD = {
  maxLength: WEBHOOK_DESCRIPTION_MAX_LENGTH,
  pattern: ONE_LINE_TEXT,
  description: 'What the endpoint is, for the admins who read the list.',
  example: 'Provision accounts in the billing system',
};

export class CreateWebhookDto {
  @ApiProperty(URL_FIELD)
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url: string;

  @ApiProperty(EVENTS_FIELD)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventType[];

  @ApiPropertyOptional(DESCRIPTION_FIELD)
  @IsOptional()
  @IsString()
  @MaxLength(WEBHOOK_DESCRIPTION_MAX_LENGTH)
  @PlainText()
  description?: string;
}

/** Only what is sent changes: every member of a creation's body, each optional, and `enabled`. */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto) {
  @ApiPropertyOptional({
    description:
      '`false` stops deliveries (those already made fail, and can be retried later); `true` starts them again, and clears a `disabledReason`.',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
