import {
  Inject,
  Injectable,
  NotFoundException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../access/access.errors.js';
import { bearerToken } from '../common/http/bearer-token.js';
import { metricsConfig, type MetricsConfig } from '../config/metrics.config.js';

/**
 * Who may scrape `GET /metrics` on the API's port: anyone holding METRICS_TOKEN when one is set,
 * and nobody when METRICS_PORT serves the metrics alone (then the path is as if it did not exist).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(metricsConfig.KEY) private readonly config: MetricsConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.config.port !== undefined) throw new NotFoundException();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (this.config.token && !sameToken(bearerToken(request.headers.authorization), this.config.token)) {
      throw new UnauthenticatedError('The metrics token is missing or wrong.');
    }
    return true;
  }
}

function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
