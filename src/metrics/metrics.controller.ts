import { Controller, Get, Header, Inject, NotFoundException, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/auth.decorators.js';
import { UnauthenticatedError } from '../auth/auth.errors.js';
import { bearerToken } from '../common/http/bearer-token.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { metricsConfig, type MetricsConfig } from '../config/metrics.config.js';
import { Metrics } from './metrics.js';

@ApiTags('metrics')
@Controller('metrics')
@Public()
@SkipThrottle()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiBearerAuth('metrics')
  @ApiOperation({
    operationId: 'metrics_scrape',
    summary: 'Prometheus metrics',
    description:
      'Prometheus text format. When METRICS_TOKEN is set, send it as a Bearer token (production requires it, or METRICS_PORT). With METRICS_PORT the metrics are served on that port only, and this path is a 404.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus exposition format.',
    schema: { type: 'string', maxLength: 1_000_000 },
  })
  @ApiProblems(401, 404)
  async scrape(@Req() request: FastifyRequest): Promise<string> {
    // Served on METRICS_PORT alone: here it is as if it did not exist.
    if (this.config.port !== undefined) throw new NotFoundException();
    if (this.config.token && !sameToken(bearerToken(request.headers.authorization), this.config.token)) {
      throw new UnauthenticatedError('The metrics token is missing or wrong.');
    }
    return this.metrics.registry.metrics();
  }
}

function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
