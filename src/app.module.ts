import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AccountEmailsModule } from './account-emails/account-emails.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { MfaModule } from './mfa/mfa.module.js';
import { ReauthenticationModule } from './reauthentication/reauthentication.module.js';
import { CommonModule } from './common/common.module.js';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter.js';
import { QueryParametersModule } from './common/http/query-parameters.guard.js';
import { RequestValidationPipe } from './common/http/request-validation.pipe.js';
import { appConfig } from './config/app.config.js';
import { authConfig } from './config/auth.config.js';
import { ConfigurationModule } from './config/config.module.js';
import type { Configuration } from './config/configuration.js';
import { databaseConfig } from './config/database.config.js';
import { httpConfig } from './config/http.config.js';
import { retentionConfig } from './config/retention.config.js';
import { jobsConfig } from './config/jobs.config.js';
import { mailConfig } from './config/mail.config.js';
import { metricsConfig } from './config/metrics.config.js';
import { rateLimitConfig } from './config/rate-limit.config.js';
import { redisConfig } from './config/redis.config.js';
import { DatabaseModule } from './database/database.module.js';
import { MigrationsModule } from './migrations/migrations.module.js';
import { HealthModule } from './health/health.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsEndpointModule } from './metrics/metrics-endpoint.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { UsersModule } from './users/users.module.js';
import { AuditDetailsDto } from './audit-details.dto.js';
import { webhooksConfig } from './config/webhooks.config.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** The API: every feature module, the global pipe and filter. `createApp()` builds it. */
@Module({
  imports: [
    LoggingModule,
    CommonModule,
    DatabaseModule,
    MigrationsModule,
    RateLimitModule,
    UsersModule,
    AuthModule,
    // After AuthModule: its guard runs after AccessGuard (query-parameters.guard.ts).
    QueryParametersModule,
    MfaModule,
    ReauthenticationModule,
    AccountEmailsModule,
    AuditModule,
    WebhooksModule,
    IdempotencyModule,
    HealthModule,
    MetricsEndpointModule,
    TelemetryModule,
  ],
  providers: [
    { provide: APP_PIPE, useClass: RequestValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {
  /** Schemas the document needs that no decorator names: the audit log's details, every module's. */
  static readonly openApiModels = [AuditDetailsDto];

  /** The configuration the API reads, validated together at boot (`Configuration.load`). */
  static readonly namespaces = [
    appConfig,
    httpConfig,
    databaseConfig,
    authConfig,
    rateLimitConfig,
    redisConfig,
    mailConfig,
    jobsConfig,
    retentionConfig,
    metricsConfig,
    webhooksConfig,
  ];

  static forRoot(configuration: Configuration): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigurationModule.forRoot(configuration),
        // The API works the job queues itself unless a deployment runs `npm run worker` apart.
        JobsModule.forRoot({ workers: configuration.get(jobsConfig).workersEnabled }),
      ],
    };
  }
}
