import { Module } from '@nestjs/common';
import { AccountEmailsModule } from '../account-emails/account-emails.module.js';
import { CommonModule } from '../common/common.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { UsersModule } from '../users/users.module.js';

/**
 * What the command-line tools need: configuration, the database `npm start` uses, users, and the job
 * queue with the account-email queue defined (a new admin is sent the welcome email, even on a
 * database no API has booted on yet). It runs no workers.
 */
@Module({
  imports: [AppConfigModule, CommonModule, DatabaseModule, JobsModule, UsersModule, AccountEmailsModule],
})
export class CliModule {}
