import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { RedisConnection } from '../redis/redis.module.js';
import { Draining } from './draining.js';
import { HealthCheckDto, HealthDto } from './health.dto.js';

const DATABASE_PING_TIMEOUT_MS = 1_000;

/** For orchestrators and load balancers: unversioned, public, not rate limited. */
@ApiTags('health')
@ApiExtraModels(HealthCheckDto)
@Controller('health')
@Public()
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly draining: Draining,
    private readonly redis: RedisConnection,
  ) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'health_live',
    summary: 'Liveness',
    description: '200 while the process runs.',
  })
  @ApiOkResponse({ type: HealthDto })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'health_ready',
    summary: 'Readiness',
    description:
      '200 when PostgreSQL (and Redis, when configured) answer within a second; 503 otherwise, and from the moment shutdown begins.',
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiProblems(503)
  ready() {
    return this.health.check([
      () => {
        const session = this.indicators.check('shutdown');
        return this.draining.isDraining ? session.down('shutting down') : session.up();
      },
      () => this.database.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS }),
      ...(this.redis.client ? [() => this.pingRedis(this.redis.client!)] : []),
    ]);
  }

  private async pingRedis(client: NonNullable<RedisConnection['client']>) {
    const session = this.indicators.check('redis');
    try {
      await client.ping();
      return session.up();
    } catch (error) {
      return session.down((error as Error).message);
    }
  }
}
