import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/access.decorators.js';
import { ApiIfNoneMatch, ApiOkWithETag } from '../common/swagger/api-conditional.decorator.js';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { AuthorizationServerMetadataDto, KeySetDto } from './dto/key-set.dto.js';
import { KeyRing } from './key-ring.js';

export const JWKS_PATH = '.well-known/jwks.json';
export const METADATA_PATH = '.well-known/oauth-authorization-server';

/**
 * What other services need to verify Gatehouse's access tokens without a secret: unversioned
 * (verifiers look for these paths), public, not rate limited, served from memory.
 */
@ApiTags('keys')
@Controller('.well-known')
@Public()
@SkipThrottle()
export class WellKnownController {
  constructor(
    private readonly ring: KeyRing,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  @Get('jwks.json')
  @ApiOperation({
    operationId: 'keys_getKeySet',
    summary: 'The public keys of access tokens (JWKS)',
    description:
      "RFC 7517. Verify an access token with the key whose `kid` is in the token's header, with that key's `alg` only, and check `typ` (`at+jwt`), `iss`, `aud`, `exp` (RFC 9068). Cache it for `Cache-Control`'s max-age (AUTH_JWKS_MAX_AGE); a key is published that long and more before it signs, and when a token names a `kid` you do not hold, fetch the set again (at most every few seconds).",
  })
  @ApiOkWithETag(KeySetDto)
  @ApiIfNoneMatch()
  keySet(@Res({ passthrough: true }) reply: FastifyReply): KeySetDto {
    const { document, etag } = this.ring.keySet;
    void reply.header('cache-control', `public, max-age=${this.auth.jwksMaxAgeSeconds}`).header('etag', etag);
    return document;
  }

  @Get('oauth-authorization-server')
  @ApiOperation({
    operationId: 'keys_getMetadata',
    summary: 'Authorization server metadata',
    description: 'RFC 8414: the issuer of access tokens and where its keys are; nothing else yet.',
  })
  @ApiOkResponse({ type: AuthorizationServerMetadataDto })
  metadata(@Res({ passthrough: true }) reply: FastifyReply): AuthorizationServerMetadataDto {
    void reply.header('cache-control', `public, max-age=${this.auth.jwksMaxAgeSeconds}`);
    return { issuer: this.auth.issuer, jwks_uri: `${this.app.publicUrl}/${JWKS_PATH}` };
  }
}
