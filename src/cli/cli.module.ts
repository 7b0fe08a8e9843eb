import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { UsersModule } from '../users/users.module.js';

/**
 * What the command-line tools need: configuration, the database `npm start` uses, users, and the job
 * queue (a new admin gets the welcome email). It runs no workers.
 */
@Module({ imports: [AppConfigModule, CommonModule, DatabaseModule, JobsModule, UsersModule] })
export class CliModule {}
