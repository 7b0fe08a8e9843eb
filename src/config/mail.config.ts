import { IsDefined, IsString, Matches, ValidateIf } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';

export class MailEnvironment {
  /** Read here only to require SMTP_URL in production. */
  NODE_ENV?: string;

  /**
   * Unset outside production: emails are written to the log, links included, so that every flow can
   * be finished by hand. Production needs it: links that reset passwords do not belong in logs.
   */
  @ValidateIf((env: MailEnvironment) => env.NODE_ENV === 'production' || env.SMTP_URL !== undefined)
  @IsDefined({ message: 'is required in production (without it, emails are only written to the log)' })
  @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  MAIL_FROM = 'Gatehouse <no-reply@localhost>';
}

export const mailConfig = defineConfig('mail', MailEnvironment, (env) => ({
  smtpUrl: env.SMTP_URL,
  from: env.MAIL_FROM,
}));
export type MailConfig = ConfigOf<typeof mailConfig>;
