import { IsBoolean, IsInt, Min } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { ToBoolean, ToInteger } from './environment.js';

export class RateLimitEnvironment {
  /** `false` turns every limit off, the login lock included (benchmarks, contract checks). */
  @ToBoolean()
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  /** Requests per client address per minute, on routes without a budget of their own. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Login attempts per client address per minute. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_PER_MINUTE = 10;

  /** Sign-ups per client address per hour. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_SIGNUP_PER_HOUR = 20;

  /** Account emails (verification resends, password resets) asked for per client address per hour. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_EMAIL_PER_HOUR = 20;

  /** Account emails asked for per account (or per email address, for resets) per hour. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR = 5;

  /** Requests per API key per minute, whichever addresses it calls from (on top of the address's budget). */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_API_KEY_PER_MINUTE = 600;

  /** Invitations an organization sends per hour, whoever sends them: each is a mail to a stranger. */
  @ToInteger()
  @IsInt()
  @Min(1)
  RATE_LIMIT_ORG_INVITATIONS_PER_HOUR = 50;
}

export const rateLimitConfig = defineConfig('rateLimit', RateLimitEnvironment, (env) => ({
  enabled: env.RATE_LIMIT_ENABLED,
  perMinute: env.RATE_LIMIT_PER_MINUTE,
  loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE,
  signupPerHour: env.RATE_LIMIT_SIGNUP_PER_HOUR,
  emailPerHour: env.RATE_LIMIT_EMAIL_PER_HOUR,
  emailPerAccountPerHour: env.RATE_LIMIT_EMAIL_PER_ACCOUNT_PER_HOUR,
  apiKeyPerMinute: env.RATE_LIMIT_API_KEY_PER_MINUTE,
  orgInvitationsPerHour: env.RATE_LIMIT_ORG_INVITATIONS_PER_HOUR,
}));
export type RateLimitConfig = ConfigOf<typeof rateLimitConfig>;
