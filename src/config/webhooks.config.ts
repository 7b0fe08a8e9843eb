import { IsBoolean, IsInt, Matches, Max, Min } from 'class-validator';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { DURATION, DURATION_MESSAGE, durationToSeconds, ToBoolean, ToInteger } from './environment.js';

export class WebhooksEnvironment {
  /** Attempts per delivery, the first included; with the default delay the last is about a day after the first. */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(20)
  WEBHOOK_MAX_ATTEMPTS = 8;

  /** The first retry waits about this long; each further one about twice as long, with jitter. */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(86_400)
  WEBHOOK_RETRY_DELAY_SECONDS = 900;

  /** A delivery answered with a 2xx within this many milliseconds succeeded; anything else is retried. */
  @ToInteger()
  @IsInt()
  @Min(100)
  @Max(30_000)
  WEBHOOK_TIMEOUT_MS = 5000;

  /** How long a rotated-out secret still signs, beside the new one, so receivers can switch without losing a delivery. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  WEBHOOK_SECRET_OVERLAP = '24h';

  /** Allow `http://` endpoints: for development only, where the receiver has no certificate. */
  @ToBoolean()
  @IsBoolean()
  WEBHOOK_ALLOW_HTTP = false;

  /** Allow endpoints on loopback, private, link-local and metadata addresses: for development and tests only. */
  @ToBoolean()
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE = false;

  /** Days a settled delivery (succeeded or failed for good) is kept for `GET /webhooks/{id}/deliveries`. */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(3650)
  WEBHOOK_DELIVERY_RETENTION_DAYS = 30;
}

export const webhooksConfig = defineConfig('webhooks', WebhooksEnvironment, (env) => ({
  maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
  retryDelaySeconds: env.WEBHOOK_RETRY_DELAY_SECONDS,
  timeoutMs: env.WEBHOOK_TIMEOUT_MS,
  secretOverlapSeconds: durationToSeconds(env.WEBHOOK_SECRET_OVERLAP),
  allowHttp: env.WEBHOOK_ALLOW_HTTP,
  allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
  deliveryRetentionDays: env.WEBHOOK_DELIVERY_RETENTION_DAYS,
}));
export type WebhooksConfig = ConfigOf<typeof webhooksConfig>;
