import { applyDecorators, Module, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ApiProblems } from '../common/swagger/api-problems.decorator.js';
import { appConfig, type AppConfig } from '../config/app.config.js';

/** The routes limited per client address, each with its own budget from the configuration. */
export type RateLimitKind = 'login' | 'signup';
const RATE_LIMIT_KIND = 'rate-limit:kind';

/**
 * Limits a route per client address (`request.ip`, which honours TRUST_PROXY); over the limit it
 * answers 429 with `Retry-After`. Off when RATE_LIMIT_ENABLED=false.
 */
export const RateLimit = (kind: RateLimitKind) =>
  applyDecorators(SetMetadata(RATE_LIMIT_KIND, kind), UseGuards(ThrottlerGuard), ApiProblems(429));

function budgets(app: AppConfig): Record<RateLimitKind, { limit: number; ttl: number }> {
  return {
    login: { limit: app.rateLimit.loginPerMinute, ttl: 60_000 },
    signup: { limit: app.rateLimit.signupPerHour, ttl: 3_600_000 },
  };
}

/**
 * `@nestjs/throttler` with one throttler whose budget depends on the route. It is named `default`
 * because that is the name for which it sends a plain `Retry-After` header.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: AppConfig) => {
        const budget = (context: ExecutionContext) =>
          budgets(app)[Reflect.getMetadata(RATE_LIMIT_KIND, context.getHandler()) as RateLimitKind];
        return {
          throttlers: [{ name: 'default', limit: (c) => budget(c).limit, ttl: (c) => budget(c).ttl }],
          skipIf: () => !app.rateLimit.enabled,
          errorMessage: 'Too many requests from this address: retry after the Retry-After seconds.',
        };
      },
    }),
  ],
})
export class RateLimitModule {}
