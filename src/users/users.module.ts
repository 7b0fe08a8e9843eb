import { AuditLogModule } from '../audit/audit-log.module.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { EmailPolicy } from './email-policy.js';
import { User } from './entities/user.entity.js';
import { UserColumns } from './user-columns.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UnverifiedAccountsRetention } from './unverified-accounts-retention.js';
import { SecurityNoticesModule } from '../security-notices/security-notices.js';
import { UserAdministration } from './user-administration.service.js';
import { UsersService } from './users.service.js';

/** Accounts: the `users` table's one owner. Other modules change it through `UsersService`. */
@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    PasswordsModule,
    AuditLogModule,
    SecurityNoticesModule,
    EventsModule,
  ],
  controllers: [UsersController],
  providers: [
    UsersRepository,
    UsersService,
    UserAdministration,
    UserColumns,
    EmailPolicy,
    UnverifiedAccountsRetention,
  ],
  exports: [UsersService, UserAdministration, UserColumns],
})
export class UsersModule {}
