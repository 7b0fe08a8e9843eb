import { AuditLogModule } from '../audit/audit-log.module.js';
import { SecurityNoticesModule } from '../security-notices/security-notices.js';
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AccountEmailSenderModule } from './account-email-sender.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.js';
import { UsersModule } from '../users/users.module.js';
import { AccountEmailsController } from './account-emails.controller.js';
import { EmailChangeController } from './email-change.controller.js';
import { UserPasswordResetController } from './user-password-reset.controller.js';
import { AccountEmailsService } from './account-emails.service.js';
import { AccountLinks } from './account-links.js';
import { EmailChangeService } from './email-change.service.js';

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
  providers: [AccountEmailsService, EmailChangeService, AccountLinks],
  exports: [AccountEmailsService],
})
export class AccountEmailsModule {}
