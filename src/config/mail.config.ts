import { registerAs, type ConfigType } from '@nestjs/config';
import { IsOptional, IsString, Matches } from 'class-validator';
import { readEnvironment } from './environment.js';

export class MailEnvironment {
  /** Unset: emails are written to the log instead of being sent. */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  MAIL_FROM = 'Gatehouse <no-reply@localhost>';
}

export const mailConfig = registerAs('mail', () => {
  const env = readEnvironment(MailEnvironment);
  return { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM };
});
export type MailConfig = ConfigType<typeof mailConfig>;
