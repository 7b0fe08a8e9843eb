import { KeysModule } from './keys/keys.module.js';
import { OrganizationInvitationSenderModule } from './organizations/organization-invitation-sender.module.js';
import { Module, type DynamicModule } from '@nestjs/common';
import { AccountEmailSenderModule } from './account-emails/account-email-sender.module.js';
import { CommonModule } from './common/common.module.js';
import { appConfig } from './config/app.config.js';
import { authConfig } from './config/auth.config.js';
import { ConfigurationModule } from './config/config.module.js';
import { databaseConfig } from './config/database.config.js';
import { jobsConfig } from './config/jobs.config.js';
import { mailConfig } from './config/mail.config.js';
import { retentionConfig } from './config/retention.config.js';
import { AuthDataModule } from './auth/auth-data.module.js';
import { IdempotentRequestsRetentionModule } from './idempotency/idempotent-requests-retention.module.js';
import { DatabaseModule } from './database/database.module.js';
import { MigrationsModule } from './migrations/migrations.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import type { Configuration } from './config/configuration.js';
import { webhooksConfig } from './config/webhooks.config.js';
import { WebhookDeliveryModule } from './webhooks/webhook-delivery.module.js';

/** The modules that define job queues and handle their jobs, without HTTP. */
@Module({
  imports: [
    LoggingModule,
    CommonModule,
    DatabaseModule,
    MigrationsModule,
    AccountEmailSenderModule,
    OrganizationInvitationSenderModule,
    AuthDataModule,
    KeysModule,
    IdempotentRequestsRetentionModule,
    WebhookDeliveryModule,
    TelemetryModule,
  ],
})
export class WorkerModule {
  static readonly namespaces = [
    appConfig,
    databaseConfig,
    authConfig,
    jobsConfig,
    mailConfig,
    retentionConfig,
    webhooksConfig,
  ];

  static forRoot(configuration: Configuration): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigurationModule.forRoot(configuration), JobsModule.forRoot({ workers: true })],
    };
  }
}
