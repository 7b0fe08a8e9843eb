import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { EventsModule } from '../events/events.module.js';
import { MailModule } from '../mail/mail.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountEmailSender } from './account-email.sender.js';
import { AccountTokensRetention } from './account-tokens-retention.js';
import { AccountTokensRepository } from './account-tokens.repository.js';
import { AccountToken } from './entities/account-token.entity.js';

/**
 * The sending side of account emails: the handler of the `account-email` queue, and the tokens it
 * makes (the owner of `account_tokens`). `npm run worker` and the CLI import only this.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AccountToken]), UsersModule, MailModule, AuditLogModule, EventsModule],
  providers: [AccountEmailSender, AccountTokensRepository, AccountTokensRetention],
  exports: [AccountTokensRepository],
})
export class AccountEmailSenderModule {}
