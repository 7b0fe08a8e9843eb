import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access, CurrentPrincipal } from '../access/access.decorators.js';
import type { Principal } from '../access/principal.js';
import { PageLinks } from '../common/pagination/page-links.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { ApiPageResponse } from '../common/swagger/api-page.decorator.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { AuditLog } from './audit-log.js';
import {
  AuditEventPageDto,
  AuditEventResponseDto,
  SecurityEventPageDto,
  SecurityEventResponseDto,
} from './dto/audit-event-response.dto.js';
import { auditFilterOf, ListAuditEventsQuery } from './dto/list-audit-events.query.js';

@ApiTags('audit')
@Controller('audit-events')
export class AuditEventsController {
  constructor(
    private readonly audit: AuditLog,
    private readonly pages: PageLinks,
  ) {}

  @Get()
  @Access({ roles: ['admin'], scope: 'audit:read' })
  @ApiOperation({
    operationId: 'audit_list',
    summary: 'The audit log (admin)',
    description:
      'Security events of every account, newest first, a page at a time: pass `nextCursor` back as `cursor` until it is null. Every filter given must hold. A page deep in the log costs what the first page costs.',
  })
  @ApiPageResponse(AuditEventPageDto)
  @ApiProblems(400)
  async list(
    @Query() query: ListAuditEventsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuditEventPageDto> {
    const page = await this.audit.list(auditFilterOf(query), query);
    if (page.nextCursor)
      void reply.header('link', this.pages.nextLink('audit-events', query, page.nextCursor));
    return { items: page.items.map(AuditEventResponseDto.from), nextCursor: page.nextCursor };
  }
}

/** A person's own security events: an account-security page's "recent activity". */
@ApiTags('users')
@Controller('users')
export class SecurityEventsController {
  constructor(
    private readonly audit: AuditLog,
    private readonly pages: PageLinks,
  ) {}

  @Get('me/security-events')
  @Access({ scope: 'audit:read' })
  @ApiOperation({
    operationId: 'users_listMySecurityEvents',
    summary: 'Your recent security events',
    description:
      'What happened to your account, newest first: sign-ins and failed attempts, sign-outs, password and email changes, and what an administrator did. Kept for `AUDIT_RETENTION_DAYS`.',
  })
  @ApiPageResponse(SecurityEventPageDto)
  @ApiProblems(400)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SecurityEventPageDto> {
    const page = await this.audit.list({ subjectUserId: principal.userId }, query);
    if (page.nextCursor)
      void reply.header('link', this.pages.nextLink('users/me/security-events', query, page.nextCursor));
    return { items: page.items.map(SecurityEventResponseDto.from), nextCursor: page.nextCursor };
  }
}
