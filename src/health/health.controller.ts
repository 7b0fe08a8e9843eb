import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
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
    private readonly dataSource: DataSource,
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
      () => this.pingDatabase(),
      ...(this.redis.client ? [() => this.pingRedis(this.redis.client!)] : []),
    ]);
  }

  /**
   * Our own ping rather than terminus's TypeOrmHealthIndicator, which finds the DataSource through a
   * dynamic import of @nestjs/typeorm: in the bundle that is a second copy, whose token the
   * container does not know (the check was always down).
   */
  private async pingDatabase() {
    const session = this.indicators.check('database');
    const timeout = new AbortController();
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        sleep(DATABASE_PING_TIMEOUT_MS, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`no answer within ${DATABASE_PING_TIMEOUT_MS} ms`);
        }),
      ]);
      return session.up();
    } catch (error) {
      return session.down((error as Error).message);
    } finally {
      timeout.abort();
    }
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
