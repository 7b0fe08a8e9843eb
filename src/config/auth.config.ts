import { registerAs, type ConfigType } from '@nestjs/config';
import { IsDefined, IsInt, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseEnvironment } from './database.config.js';
import { durationToSeconds, readEnvironment, ToInteger } from './environment.js';

const DURATION = /^\d+\s*(ms|s|m|h|d)?$/;
const durationMessage = '$property must be a duration such as 900, 15m, 12h or 30d';

export class AuthEnvironment {
  /** Read here only to require a real secret in production. */
  NODE_ENV?: string;

  /** HS256 key for access tokens. Unset outside production: one is generated once and kept in .data/. */
  @ValidateIf((env: AuthEnvironment) => env.NODE_ENV === 'production' || env.AUTH_JWT_SECRET !== undefined)
  @IsDefined({ message: 'is required in production' })
  @IsString()
  @MinLength(32, { message: '$property must be at least 32 characters (256 bits)' })
  @Matches(/^(?!(change.?me|secret|please.?change|x+|0+)$)/i, {
    message: '$property must not be a placeholder',
  })
  AUTH_JWT_SECRET?: string;

  @IsString()
  AUTH_JWT_ISSUER = 'gatehouse';

  @IsString()
  AUTH_JWT_AUDIENCE = 'gatehouse-api';

  @Matches(DURATION, { message: durationMessage })
  AUTH_ACCESS_TOKEN_TTL = '15m';

  /** A session ends this long after login, whatever happens (absolute lifetime). */
  @Matches(DURATION, { message: durationMessage })
  AUTH_REFRESH_TOKEN_TTL = '30d';

  /** A session not refreshed for this long ends. */
  @Matches(DURATION, { message: durationMessage })
  AUTH_SESSION_IDLE_TTL = '7d';

  /** The shortest password accepted at sign-up, change and reset (NIST 800-63B allows 8; we ask 12). */
  @ToInteger()
  @IsInt()
  @Min(8)
  @Max(64)
  AUTH_PASSWORD_MIN_LENGTH = 12;

  /** Failed logins for one email before it is locked; each further lock lasts twice as long. */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(1000)
  AUTH_LOCKOUT_THRESHOLD = 5;

  @Matches(DURATION, { message: durationMessage })
  AUTH_LOCKOUT_DURATION = '1m';

  /** How long the link in a verification email works. */
  @Matches(DURATION, { message: durationMessage })
  AUTH_VERIFY_EMAIL_TTL = '24h';

  /** How long the link in a password-reset email works. */
  @Matches(DURATION, { message: durationMessage })
  AUTH_PASSWORD_RESET_TTL = '30m';
}

/**
 * Development convenience: without AUTH_JWT_SECRET (never in production), a random secret is made
 * once and kept beside the embedded database, so tokens survive a restart of `npm start`.
 */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export const authConfig = registerAs('auth', () => {
  const env = readEnvironment(AuthEnvironment);
  const dataDir = resolve(readEnvironment(DatabaseEnvironment).DATABASE_EMBEDDED_DIR);
  return {
    jwtSecret: env.AUTH_JWT_SECRET ?? developmentSecret(dataDir),
    issuer: env.AUTH_JWT_ISSUER,
    audience: env.AUTH_JWT_AUDIENCE,
    accessTokenTtlSeconds: durationToSeconds(env.AUTH_ACCESS_TOKEN_TTL),
    refreshTokenTtlSeconds: durationToSeconds(env.AUTH_REFRESH_TOKEN_TTL),
    sessionIdleTtlSeconds: durationToSeconds(env.AUTH_SESSION_IDLE_TTL),
    passwordMinLength: env.AUTH_PASSWORD_MIN_LENGTH,
    lockoutThreshold: env.AUTH_LOCKOUT_THRESHOLD,
    lockoutSeconds: durationToSeconds(env.AUTH_LOCKOUT_DURATION),
    verifyEmailTtlSeconds: durationToSeconds(env.AUTH_VERIFY_EMAIL_TTL),
    passwordResetTtlSeconds: durationToSeconds(env.AUTH_PASSWORD_RESET_TTL),
  };
});
export type AuthConfig = ConfigType<typeof authConfig>;
