import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.js';
import { UsersModule } from '../users/users.module.js';
import { AccountEmailSender } from './account-email.sender.js';
import { AccountEmailsController } from './account-emails.controller.js';
import { AccountEmailsService } from './account-emails.service.js';
import { AccountTokensRepository } from './account-tokens.repository.js';
import { AccountToken } from './entities/account-token.entity.js';

/**
 * The emails of an account (welcome, verification, password reset): the routes that ask for them
 * and spend their links, and the worker that sends them through the job queue.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AccountToken]),
    UsersModule,
    PasswordsModule,
    MailModule,
    RateLimitModule,
  ],
  controllers: [AccountEmailsController],
  providers: [AccountEmailsService, AccountTokensRepository, AccountEmailSender],
})
export class AccountEmailsModule {}
