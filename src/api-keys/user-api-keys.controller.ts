import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorators.js';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyListDto, ApiKeyResponseDto } from './dto/api-key-response.dto.js';

/** An admin's view of a user's API keys, as a sub-resource of the user. */
@ApiTags('api-keys')
@Controller('users')
export class UserApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get(':id/api-keys')
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'apiKeys_listOfUser',
    summary: "A user's API keys (admin)",
    description: 'Newest first, as their owner sees them (never the key itself).',
  })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  async list(@UuidParam() id: string): Promise<ApiKeyListDto> {
    return { items: (await this.apiKeys.listOf(id)).map(ApiKeyResponseDto.from) };
  }

  @Delete(':id/api-keys/:keyId')
  @HttpCode(204)
  @Access({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'apiKeys_revokeOfUser',
    summary: "Revoke a user's API key (admin)",
    description:
      'For a key that leaked or a script that misbehaves: it stops working at once. Recorded as `api-key.revoked` with you as its actor. A key of another user than the path names is a 404.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems(400, 404)
  @ApiUuidParam()
  @ApiUuidParam('keyId', "The key's id (a UUID).")
  async revoke(@UuidParam() id: string, @UuidParam('keyId') keyId: string): Promise<void> {
    await this.apiKeys.revoke(id, keyId);
  }
}
