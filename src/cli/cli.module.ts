import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module.js';
import { AppConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { UsersModule } from '../users/users.module.js';

/** What the command-line tools need: configuration, the database `npm start` uses, and users. */
@Module({ imports: [AppConfigModule, CommonModule, DatabaseModule, UsersModule] })
export class CliModule {}
