import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access, CurrentSession } from '../access/access.decorators.js';
import type { SessionPrincipal } from '../access/principal.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyListDto, ApiKeyResponseDto, CreatedApiKeyDto } from './dto/api-key-response.dto.js';
import { CreateApiKeyDto, RenameApiKeyDto } from './dto/create-api-key.dto.js';
import { MAX_API_KEYS_PER_USER } from './entities/api-key.entity.js';

const LIMIT = {
  status: 409,
  type: 'api-key-limit',
  description: `The account has ${MAX_API_KEYS_PER_USER} API keys, the most it may (\`/problems/api-key-limit\`): revoke one first.`,
};

/** A person's API keys. Keys manage no keys: every route here wants a session. */
@ApiTags('api-keys')
@Controller('auth/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @Access({ recentAuthentication: true })
  @ApiOperation({
    operationId: 'apiKeys_create',
    summary: 'Create an API key',
    description:
      'Needs a recent sign-in (`POST /auth/reauthenticate`, else 403). Answers the key (`gat_…`) this once: only a keyed hash is kept. Send it as `Authorization: Bearer gat_…`; it acts as you, with your role of the moment, on the operations that name one of its scopes, until it expires or is revoked. Recorded as `api-key.created`, and you are mailed.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiProblems(400, LIMIT, 413, 415)
  async create(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const { key, text } = await this.apiKeys.create(principal, body);
    return { ...ApiKeyResponseDto.from(key), key: text };
  }

  @Get()
  @Access()
  @ApiOperation({
    operationId: 'apiKeys_list',
    summary: 'Your API keys',
    description:
      'Newest first, with what you see of each (`prefix`) and when and from where it was last used.',
  })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(@CurrentSession() principal: SessionPrincipal): Promise<ApiKeyListDto> {
    return { items: (await this.apiKeys.list(principal.userId)).map(ApiKeyResponseDto.from) };
  }

  @Patch(':id')
  @Access()
  @ApiOperation({
    operationId: 'apiKeys_rename',
    summary: 'Rename an API key',
    description: "Only its name changes. Another account's key is a 404, as one that does not exist.",
  })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiProblems(400, 404, 413, 415)
  @ApiUuidParam()
  async rename(
    @CurrentSession() principal: SessionPrincipal,
    @UuidParam() id: string,
    @Body() body: RenameApiKeyDto,
  ): Promise<ApiKeyResponseDto> {
    return ApiKeyResponseDto.from(await this.apiKeys.rename(principal.userId, id, body.name));
  }

  @Delete(':id')
  @HttpCode(204)
  @Access()
  @ApiOperation({
    operationId: 'apiKeys_revoke',
    summary: 'Revoke an API key',
    description:
      "The key stops working at once, on every instance (it is deleted). Recorded as `api-key.revoked`. Another account's key is a 404, as one that does not exist.",
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async revoke(@CurrentSession() principal: SessionPrincipal, @UuidParam() id: string): Promise<void> {
    await this.apiKeys.revoke(principal.userId, id);
  }
}
