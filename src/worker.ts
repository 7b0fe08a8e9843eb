import 'reflect-metadata';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AccountEmailSenderModule } from './account-emails/account-email-sender.module.js';
import { exitOnBootFailure } from './common/boot-failure.js';
import { CommonModule } from './common/common.module.js';
import { appConfig } from './config/app.config.js';
import { authConfig } from './config/auth.config.js';
import { ConfigurationModule } from './config/config.module.js';
import { Configuration } from './config/configuration.js';
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

/** The modules that define job queues and handle their jobs, without HTTP. */
@Module({
  imports: [
    LoggingModule,
    CommonModule,
    DatabaseModule,
    MigrationsModule,
    AccountEmailSenderModule,
    AuthDataModule,
    IdempotentRequestsRetentionModule,
    TelemetryModule,
  ],
})
class WorkerModule {
  static readonly namespaces = [
    appConfig,
    databaseConfig,
    authConfig,
    jobsConfig,
    mailConfig,
    retentionConfig,
  ];

  static forRoot(configuration: Configuration): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigurationModule.forRoot(configuration), JobsModule.forRoot({ workers: true })],
    };
  }
}

/**
 * `npm run worker`: works the job queues without serving HTTP, so that a deployment can scale
 * workers apart from the API (which then runs with JOBS_WORKERS_ENABLED=false). On SIGTERM it takes
 * no new jobs, lets the running ones finish, and exits 0.
 */
async function main(): Promise<void> {
  const configuration = Configuration.load(WorkerModule.namespaces);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(configuration), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT', 'SIGHUP'], { useProcessExit: true });
  new Logger('Worker').log('working the job queues');
}

main().catch(exitOnBootFailure);
