import { Module, type DynamicModule } from '@nestjs/common';
import { AccountEmailsModule } from '../account-emails/account-emails.module.js';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CommonModule } from '../common/common.module.js';
import { appConfig } from '../config/app.config.js';
import { authConfig } from '../config/auth.config.js';
import { ConfigurationModule } from '../config/config.module.js';
import type { Configuration } from '../config/configuration.js';
import { databaseConfig } from '../config/database.config.js';
import { retentionConfig } from '../config/retention.config.js';
import { jobsConfig } from '../config/jobs.config.js';
import { mailConfig } from '../config/mail.config.js';
import { rateLimitConfig } from '../config/rate-limit.config.js';
import { redisConfig } from '../config/redis.config.js';
import { DatabaseModule } from '../database/database.module.js';
import { MigrationsModule } from '../migrations/migrations.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminCommands } from './admin-commands.js';

/**
 * What the command-line tools need: the database `npm start` uses, and the modules whose services
 * the admin operations call (users, auth, account emails), with the job queue and the
 * account-email queue defined (a new admin is sent the welcome email, even on a database no API has
 * booted on yet). It works no jobs and serves no HTTP: the modules' controllers are never routed.
 */
@Module({
  imports: [
    CommonModule,
    DatabaseModule,
    MigrationsModule,
    UsersModule,
    AuthModule,
    AccountEmailsModule,
    AuditLogModule,
    KeysModule,
  ],
  providers: [AdminCommands],
})
export class CliModule {
  static readonly namespaces = [
    appConfig,
    databaseConfig,
    authConfig,
    jobsConfig,
    retentionConfig,
    mailConfig,
    rateLimitConfig,
    redisConfig,
  ];

  static forRoot(configuration: Configuration): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigurationModule.forRoot(configuration), JobsModule.forRoot({ workers: false })],
    };
  }
}
