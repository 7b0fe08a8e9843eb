import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCallbacks,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal } from '../access/access.decorators.js';
import type { Principal } from '../access/principal.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { PageLinks } from '../common/pagination/page-links.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { ApiPageResponse } from '../common/swagger/api-page.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook-requests.dto.js';
import {
  CreatedWebhookDto,
  RotatedWebhookSecretDto,
  WebhookDeliveryPageDto,
  WebhookDeliveryResponseDto,
  WebhookPageDto,
  WebhookResponseDto,
} from './dto/webhook-responses.dto.js';
import { MAX_WEBHOOK_SUBSCRIPTIONS } from './entities/webhook-subscription.entity.js';
import { WebhookEventDto } from './dto/webhook-event.dto.js';
import { WebhooksService } from './webhooks.service.js';

const LIMIT = {
  status: 409,
  type: 'webhook-limit',
  description: `There are ${MAX_WEBHOOK_SUBSCRIPTIONS} subscriptions, the most there may be (\`/problems/webhook-limit\`): delete one first.`,
};
const UNSETTLED = {
  status: 409,
  type: 'delivery-unsettled',
  description:
    'The delivery is still pending or waiting (`/problems/delivery-unsettled`): it is being attempted already.',
};
const URL_REJECTED =
  'Also when the URL is refused: not `https`, carrying a user name or password, not resolving, or resolving to a loopback, private, link-local or metadata address (`errors[0].pointer` is `#/url`).';

/**
 * Webhook subscriptions (admin): endpoints of the team's other systems that receive the audit
 * log's events as they happen, signed per Standard Webhooks. Sessions only: an API key manages no
 * webhooks.
 */
@ApiTags('webhooks')
@ApiExtraModels(WebhookEventDto)
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly pages: PageLinks,
  ) {}

  @Post()
  @HttpCode(201)
  @Access({ roles: ['admin'], recentAuthentication: true })
  @ApiOperation({
    operationId: 'webhooks_create',
    summary: 'Subscribe an endpoint to events (admin)',
    description:
      'Needs a recent sign-in. Answers the signing secret this once (`secret`): keep it in the receiver. Each event the endpoint chose is POSTed to it as JSON (the `WebhookEvent` schema) with the headers `webhook-id` (the same on every attempt: de-duplicate on it), `webhook-timestamp` and `webhook-signature` (Standard Webhooks, `v1,` HMAC-SHA256). A 2xx within WEBHOOK_TIMEOUT_MS is success; anything else is retried with exponential backoff and jitter, WEBHOOK_MAX_ATTEMPTS attempts in all (about a day); 410 Gone disables the subscription. One account’s events reach an endpoint in the order they happened. Recorded as `webhook.created`.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiCallbacks({
    name: 'event',
    callbackUrl: '{$request.body#/url}',
    method: 'post',
    requestBody: { type: WebhookEventDto },
    expectedResponse: {
      status: 204,
      description:
        'Any 2xx within WEBHOOK_TIMEOUT_MS: delivered. 410: the subscription is disabled. Anything else: retried.',
    },
  })
  @ApiProblems({ status: 400, description: URL_REJECTED }, LIMIT, 413, 415)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookDto,
  ): Promise<CreatedWebhookDto> {
    const { subscription, secret } = await this.webhooks.create(principal.userId, body);
    return { ...WebhookResponseDto.from(subscription), secret };
  }

  @Get()
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'webhooks_list',
    summary: 'Webhook subscriptions (admin)',
    description: 'Newest first; never their secrets.',
  })
  @ApiPageResponse(WebhookPageDto)
  @ApiProblems(400)
  async list(
    @Query() query: PageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookPageDto> {
    const page = await this.webhooks.list(query);
    if (page.next) void reply.header('link', this.pages.nextLink('webhooks', query, page.next));
    return { items: page.items.map((each) => WebhookResponseDto.from(each)), nextCursor: page.next };
  }

  @Get(':id')
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'webhooks_get',
    summary: 'A webhook subscription (admin)',
    description:
      'What it receives, where, and whether it is enabled (or why the server disabled it); never its secret.',
  })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async get(@UuidParam() id: string): Promise<WebhookResponseDto> {
    return WebhookResponseDto.from(await this.webhooks.get(id));
  }

  @Patch(':id')
  @Access({ roles: ['admin'], recentAuthentication: true })
  @ApiOperation({
    operationId: 'webhooks_update',
    summary: 'Change a webhook subscription (admin)',
    description:
      'Needs a recent sign-in. Only what the body names changes: `url`, `events`, `description`, `enabled` (`true` after the server disabled it starts deliveries again; retry the failed ones from its deliveries). Recorded as `webhook.updated`.',
  })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiProblems({ status: 400, description: URL_REJECTED }, 404, 413, 415)
  @ApiUuidParam()
  async update(@UuidParam() id: string, @Body() body: UpdateWebhookDto): Promise<WebhookResponseDto> {
    return WebhookResponseDto.from(await this.webhooks.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'webhooks_delete',
    summary: 'Delete a webhook subscription (admin)',
    description:
      'Nothing more is delivered to it, and its deliveries are deleted with it. Recorded as `webhook.deleted`.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async delete(@UuidParam() id: string): Promise<void> {
    await this.webhooks.delete(id);
  }

  @Post(':id/secret')
  @Access({ roles: ['admin'], recentAuthentication: true })
  @HttpCode(200)
  @ApiOperation({
    operationId: 'webhooks_rotateSecret',
    summary: 'Rotate a webhook’s signing secret (admin)',
    description:
      'Needs a recent sign-in. Answers the new secret this once. Until `previousSecretExpiresAt` (WEBHOOK_SECRET_OVERLAP, 24 hours by default) every delivery carries two signatures, one per secret, so the receiver can move to the new secret without refusing a delivery. Recorded as `webhook.secret-rotated`.',
  })
  @ApiOkResponse({ type: RotatedWebhookSecretDto })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async rotateSecret(@UuidParam() id: string): Promise<RotatedWebhookSecretDto> {
    const rotated = await this.webhooks.rotateSecret(id);
    return { secret: rotated.secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt.toISOString() };
  }

  @Get(':id/deliveries')
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'webhooks_listDeliveries',
    summary: 'A webhook’s deliveries (admin)',
    description: `Newest first: each event sent or to be sent to it, with its status, attempts, and what the last attempt got. Settled deliveries are kept WEBHOOK_DELIVERY_RETENTION_DAYS days.`,
  })
  @ApiPageResponse(WebhookDeliveryPageDto)
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async deliveries(
    @UuidParam() id: string,
    @Query() query: PageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookDeliveryPageDto> {
    const page = await this.webhooks.deliveriesOf(id, query);
    if (page.next)
      void reply.header('link', this.pages.nextLink(`webhooks/${id}/deliveries`, query, page.next));
    return { items: page.items.map(WebhookDeliveryResponseDto.from), nextCursor: page.next };
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'webhooks_retryDelivery',
    summary: 'Deliver again (admin)',
    description:
      'A delivery that succeeded or failed goes again, under the same `webhook-id`: a new round of WEBHOOK_MAX_ATTEMPTS attempts, starting now. For a receiver that was down longer than the retries lasted, or that lost what it received.',
  })
  @ApiAcceptedResponse({
    type: WebhookDeliveryResponseDto,
    description: 'Queued: `status` is `pending`.',
  })
  @ApiProblems(400, 404, UNSETTLED)
  @ApiUuidParam()
  @ApiUuidParam('deliveryId', "The delivery's id (a UUID).")
  async retry(
    @UuidParam() id: string,
    @UuidParam('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryResponseDto> {
    return WebhookDeliveryResponseDto.from(await this.webhooks.retry(id, deliveryId));
  }
}
