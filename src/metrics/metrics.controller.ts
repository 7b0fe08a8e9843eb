import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../access/access.decorators.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { Metrics } from './metrics.js';

@ApiTags('metrics')
@Controller('metrics')
// Public to the access token guard: METRICS_TOKEN, not a user's session, guards it.
@Public()
@UseGuards(MetricsTokenGuard)
@SkipThrottle()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

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
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
