import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisModule } from '../redis/redis.module.js';
import { Draining } from './draining.js';
import { HealthController } from './health.controller.js';

/** `/health/live` and `/health/ready` with @nestjs/terminus, which runs the checks with timeouts. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), RedisModule],
  controllers: [HealthController],
  providers: [Draining],
})
export class HealthModule {}
