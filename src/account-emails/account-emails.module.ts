import { AuditLogModule } from '../audit/audit-log.module.js';
import { SecurityNoticesModule } from '../security-notices/security-notices.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { EventsModule } from '../events/events.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.js';
import { UsersModule } from '../users/users.module.js';
import { AccountEmailSender } from './account-email.sender.js';
import { AccountEmailsController } from './account-emails.controller.js';
import { EmailChangeController } from './email-change.controller.js';
import { UserPasswordResetController } from './user-password-reset.controller.js';
import { AccountEmailsService } from './account-emails.service.js';
import { AccountTokensRepository } from './account-tokens.repository.js';
import { AccountTokensRetention } from './account-tokens-retention.js';
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

/**
 * The emails of an account (welcome, verification, password reset, email change): the routes that
 * ask for them and spend their links, and the sending side.
 */
@Module({
  imports: [
    AccountEmailSenderModule,
    UsersModule,
    AuthModule,
    MfaModule,
    PasswordsModule,
    RateLimitModule,
    AuditLogModule,
    SecurityNoticesModule,
  ],
  controllers: [AccountEmailsController, EmailChangeController, UserPasswordResetController],
  providers: [AccountEmailsService],
  exports: [AccountEmailsService],
})
export class AccountEmailsModule {}
