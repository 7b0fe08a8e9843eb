import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiUuidParam, UuidParam } from '../common/http/uuid-param.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { Access, CurrentPrincipal, CurrentSession } from '../access/access.decorators.js';
import { SessionListDto, SessionResponseDto } from './dto/session-response.dto.js';
import type { Principal, SessionPrincipal } from '../access/principal.js';
import { ActiveOrganizationDto, SelectOrganizationDto } from './dto/active-organization.dto.js';
import { SessionsService } from './sessions.service.js';

/** Where the caller is signed in, and signing one of those places out. */
@ApiTags('auth')
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @Access({ scope: 'sessions:read' })
  @ApiOperation({
    operationId: 'auth_listSessions',
    summary: 'Your sessions',
    description:
      'Every live session of your account (signed in and neither ended nor expired), the most recently used first; `current` marks the one of this access token. `lastUsedAt`, `ipAddress` and `userAgent` come from the last sign-in or refresh, not from every request.',
  })
  @ApiOkResponse({ type: SessionListDto })
  async list(@CurrentPrincipal() principal: Principal): Promise<SessionListDto> {
    const sessions = await this.sessions.liveSessionsOf(principal);
    // An API key is no session: none is current.
    const current = principal.via === 'session' ? principal.sessionId : null;
    return { items: sessions.map((s) => SessionResponseDto.from(s, current)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Access()
  @ApiOperation({
    operationId: 'auth_endSession',
    summary: 'End one of your sessions',
    description:
      "Signs that device out: the session's refresh token and access tokens stop working from the next request. Ending the current session is a logout. A session of another account is a 404, as one that does not exist.",
  })
  @ApiNoContentResponse({ description: 'The session has ended.' })
  @ApiProblems(400, 404)
  @ApiUuidParam('id', 'The id of one of your sessions (from `GET /auth/sessions`).')
  async end(@CurrentPrincipal() principal: Principal, @UuidParam() id: string): Promise<void> {
    await this.sessions.endSessionOf(principal, id);
  }

  @Put('current/organization')
  @Access()
  @ApiOperation({
    operationId: 'auth_selectOrganization',
    summary: 'Select an organization for this session',
    description:
      "Answers a new access token that carries `org_id` and `org_role` (null `organizationId`: none). The session's refreshes keep them while you are a member; once you are removed, the next refresh drops them, and Gatehouse's own organization routes refuse you at once (they check the membership on every request). An organization you are not a member of is a 404, as one that does not exist.",
  })
  @ApiOkResponse({ type: ActiveOrganizationDto })
  @ApiProblems(
    400,
    {
      status: 404,
      type: 'not-found',
      description: 'No such organization, or you are not a member (`/problems/not-found`).',
    },
    413,
    415,
  )
  async selectOrganization(
    @CurrentSession() principal: SessionPrincipal,
    @Body() body: SelectOrganizationDto,
  ): Promise<ActiveOrganizationDto> {
    const selected = await this.sessions.selectOrganization(
      principal,
      body.organizationId?.toLowerCase() ?? null,
    );
    return {
      accessToken: selected.accessToken,
      tokenType: 'Bearer',
      expiresIn: selected.expiresIn,
      organizationId: selected.organization?.id ?? null,
      organizationRole: selected.organization?.role ?? null,
    };
  }
}
