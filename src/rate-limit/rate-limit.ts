import {
  applyDecorators,
  Inject,
  Injectable,
  Module,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { ApiProblems, COUNTERS_UNAVAILABLE } from '../common/swagger/api-problems.decorator.js';
import { setting } from '../common/swagger/documented-settings.js';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { Metrics } from '../metrics/metrics.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RedisConnection, RedisModule } from '../redis/redis.module.js';
import { counterKey, SharedCounters } from './shared-counters.js';

/** Routes with a tighter budget of their own; every other route shares the general one. */
export type RateLimitKind = 'login' | 'signup' | 'email';
const RATE_LIMIT_KIND = 'rate-limit:kind';

/** What a route's 429 says, with the configured budget (the document each deployment serves has its own). */
const TOO_MANY: Record<RateLimitKind, string> = {
  login: `Too many sign-ins: over RATE_LIMIT_LOGIN_PER_MINUTE (${setting('loginPerMinute')} a minute per client address), or the address is locked after AUTH_LOCKOUT_THRESHOLD (${setting('lockoutThreshold')}) wrong passwords (\`/problems/too-many-requests\`). Retry after the \`Retry-After\` seconds.`,
  signup: `Too many sign-ups: over RATE_LIMIT_SIGNUP_PER_HOUR (${setting('signupPerHour')} an hour per client address). Retry after the \`Retry-After\` seconds.`,
  email: `Too many emails asked for: over RATE_LIMIT_EMAIL_PER_HOUR (${setting('emailPerHour')} an hour per client address) or RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR (${setting('emailPerAccountPerHour')} an hour per account or address). Retry after the \`Retry-After\` seconds.`,
};

/**
 * Gives a route its own, tighter budget per client address instead of the general one. Such a
 * budget guards against guessing or flooding, so while Redis is away the route refuses (503)
 * rather than count in one instance (shared-counters.ts).
 */
export const RateLimit = (kind: RateLimitKind) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_KIND, kind),
    ApiProblems({ status: 429, description: TOO_MANY[kind] }, COUNTERS_UNAVAILABLE),
  );

const kindOf = (context: ExecutionContext): RateLimitKind | 'general' =>
  (Reflect.getMetadata(RATE_LIMIT_KIND, context.getHandler()) as RateLimitKind | undefined) ?? 'general';

function budgets(limits: RateLimitConfig): Record<RateLimitKind | 'general', { limit: number; ttl: number }> {
  return {
    general: { limit: limits.perMinute, ttl: 60_000 },
    login: { limit: limits.loginPerMinute, ttl: 60_000 },
    signup: { limit: limits.signupPerHour, ttl: 3_600_000 },
    email: { limit: limits.emailPerHour, ttl: 3_600_000 },
  };
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Budgets per account rather than per address (account emails: RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR),
 * counted in the throttler's storage, so that with REDIS_URL every instance shares them.
 */
@Injectable()
export class AccountRateLimit {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    @Inject(rateLimitConfig.KEY) private readonly limits: RateLimitConfig,
  ) {}

  /** Counts one account email for `account`; the seconds to wait when over budget, else 0. */
  emailRetryAfter(account: string): Promise<number> {
    const budget = { limit: this.limits.emailPerAccountPerHour, windowMs: HOUR_MS, strict: true };
    return this.count(`email:${account}`, 'account', budget);
  }

  /**
   * Counts one request made with an API key (RATE_LIMIT_API_KEY_PER_MINUTE, whatever the address);
   * the seconds to wait when over budget, else 0. Counted here while Redis is away, like the
   * general budget it adds to: a key is already a proof, not a guess.
   */
  apiKeyRetryAfter(keyId: string): Promise<number> {
    const budget = { limit: this.limits.apiKeyPerMinute, windowMs: MINUTE_MS, strict: false };
    return this.count(`api-key:${keyId}`, 'api-key', budget);
  }

  /** Counts one invitation sent by the organization (RATE_LIMIT_ORG_INVITATIONS_PER_HOUR). */
  invitationRetryAfter(organizationId: string): Promise<number> {
    const budget = { limit: this.limits.orgInvitationsPerHour, windowMs: HOUR_MS, strict: true };
    return this.count(`org-invitations:${organizationId}`, 'organization', budget);
  }

  /** Counts one for `counted` in its window; the seconds to wait past the budget's limit, else 0. */
  private async count(
    counted: string,
    throttler: string,
    { limit, windowMs, strict }: { limit: number; windowMs: number; strict: boolean },
  ): Promise<number> {
    if (!this.limits.enabled) return 0;
    const key = counterKey(counted, { strict });
    const record = await this.storage.increment(key, windowMs, limit, windowMs, throttler);
    return record.isBlocked ? Math.max(1, record.timeToBlockExpire) : 0;
  }
}

/**
 * Every route is limited per client address (`request.ip`, which honours TRUST_PROXY) [OWASP
 * API4:2023]; over the limit it answers 429 with `Retry-After`, and every answer carries the
 * `X-RateLimit-*` headers. `@nestjs/throttler` with one throttler whose budget depends on the route,
 * named `default` because that is the name for which it sends a plain `Retry-After`. Off when
 * RATE_LIMIT_ENABLED=false. With REDIS_URL the counters live in Redis (@nest-lab/throttler-storage-redis,
 * the storage the throttler's maintainers point to), so limits hold across instances; while Redis
 * is away, SharedCounters decides per route between refusing and counting here.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RedisModule, MetricsModule],
      inject: [rateLimitConfig.KEY, RedisConnection, Metrics],
      useFactory: (limits: RateLimitConfig, redis: RedisConnection, metrics: Metrics) => {
        const budget = (context: ExecutionContext) => budgets(limits)[kindOf(context)];
        return {
          throttlers: [{ name: 'default', limit: (c) => budget(c).limit, ttl: (c) => budget(c).ttl }],
          skipIf: () => !limits.enabled,
          // The throttler's own key, marked strict for the routes with a budget of their own.
          generateKey: (context, tracker, name) =>
            counterKey(`${context.getClass().name}-${context.getHandler().name}-${name}-${tracker}`, {
              strict: kindOf(context) !== 'general',
            }),
          // With REDIS_URL the counters are shared by every instance; without it, kept in this process.
          storage: redis.client ? new SharedCounters(redis, metrics.registry) : undefined,
          errorMessage: 'Too many requests from this address: retry after the Retry-After seconds.',
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }, AccountRateLimit],
  exports: [AccountRateLimit],
})
export class RateLimitModule {}
