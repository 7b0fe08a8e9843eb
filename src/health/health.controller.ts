import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../access/access.decorators.js';
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
      '200 when PostgreSQL answers within a second; 503 otherwise, and from the moment shutdown begins. With REDIS_URL, Redis is reported too (`redis`, under `details`, and under `error` while it is away) but does not decide: without it the instance still serves reads, and the routes that need it answer 503 themselves (docs/operations.md, "When Redis is away").',
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiProblems(503)
  async ready() {
    // Redis is pinged alongside, not after: a load balancer's check has a deadline (HAProxy's
    // fleet: 400 ms), and a busy instance answers two round trips in turn late.
    const [result, redis] = await Promise.all([
      this.health.check([
        () => {
          const session = this.indicators.check('shutdown');
          return this.draining.isDraining ? session.down('shutting down') : session.up();
        },
        () => this.database.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS }),
      ]),
      this.redisCheck(),
    ]);
    if (!redis) return result;
    return {
      ...result,
      info: { ...result.info, ...(redis.status === 'up' ? { redis } : {}) },
      error: { ...result.error, ...(redis.status === 'down' ? { redis } : {}) },
      details: { ...result.details, redis },
    };
  }

  /** Reported, not required: a readiness that needed Redis took every instance out at once when it restarted. */
  private async redisCheck(): Promise<HealthCheckDto | undefined> {
    if (!this.redis.client) return undefined;
    try {
      await this.redis.run((client) => client.ping());
      return { status: 'up' };
    } catch {
      return {
        status: 'down',
        message: 'unreachable: rate limits count per instance, and sign-in answers 503',
      };
    }
  }
}
