import { IsDefined, IsIn, IsInt, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { createHash, randomBytes } from 'node:crypto';
import { defineConfig, type ConfigOf } from './config-namespace.js';
import { RESTRICTION_LEVELS, type RestrictionLevel } from '../common/script-restriction.js';
import { DURATION, DURATION_MESSAGE, durationToSeconds, ToInteger } from './environment.js';

export const DEFAULT_PASSWORD_MIN_LENGTH = 12;
/** Outside production only (production requires AUTH_MFA_ENCRYPTION_KEY): not a secret, by design. */
const DEVELOPMENT_MFA_KEY = createHash('sha256').update('gatehouse development MFA key').digest();
/** Outside production only, as the MFA key above. */
const DEVELOPMENT_KEY_ENCRYPTION_KEY = createHash('sha256')
  .update('gatehouse development signing keys')
  .digest();

export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256', 'HS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/**
 * An AES-256 key setting: 32 bytes in base64 or base64url, not a placeholder, required in
 * production (outside it, unset means a fixed development key).
 */
function EncryptionKey(): PropertyDecorator {
  const rules = [
    ValidateIf(
      (env: AuthEnvironment, value: unknown) => env.NODE_ENV === 'production' || value !== undefined,
    ),
    IsDefined({ message: 'is required in production' }),
    IsString(),
    Matches(/^[A-Za-z0-9+/_-]{43}=?$/, { message: '$property must be 32 bytes in base64 (44 characters)' }),
    Matches(/^(?!(.)\1+=?$)/, { message: '$property must not be a placeholder' }),
  ];
  return (target, property) => {
    for (const rule of rules) rule(target, property);
  };
}

export class AuthEnvironment {
  /** Read here only to require a real secret in production. */
  NODE_ENV?: string;

  /**
   * HS256 key for access tokens. Unset outside production: a random one per process, so tokens
   * stop working when the process restarts.
   */
  @ValidateIf((env: AuthEnvironment) => env.NODE_ENV === 'production' || env.AUTH_JWT_SECRET !== undefined)
  @IsDefined({ message: 'is required in production' })
  @IsString()
  @MinLength(32, { message: '$property must be at least 32 characters (256 bits)' })
  @Matches(/^(?!(change.?me|secret|please.?change|x+|0+)$)/i, {
    message: '$property must not be a placeholder',
  })
  AUTH_JWT_SECRET?: string;

  /**
   * AES-256-GCM key (32 bytes, base64 or base64url) that encrypts TOTP secrets at rest. Required in
   * production; outside it, unset means a fixed development key (secrets survive a restart there,
   * which a random key would not, and protect nothing, which is fine for development data).
   */
  @EncryptionKey()
  AUTH_MFA_ENCRYPTION_KEY?: string;

  /** How authenticator apps and passkey prompts name this service (the TOTP issuer, the WebAuthn RP name). */
  @IsString()
  @MinLength(1)
  @Matches(/^[^:]{1,64}$/, { message: '$property must be 1 to 64 characters, without a colon' })
  AUTH_MFA_ISSUER = 'Gatehouse';

  /**
   * How access tokens are signed. `EdDSA` (Ed25519, the default) and `ES256` sign with keys kept in
   * the database and published at /.well-known/jwks.json, so other services verify tokens without a
   * secret; `HS256` signs with AUTH_JWT_SECRET, which only Gatehouse may hold.
   */
  @IsIn(SIGNING_ALGORITHMS)
  AUTH_SIGNING_ALGORITHM: SigningAlgorithm = 'EdDSA';

  /**
   * AES-256-GCM key (32 bytes, base64 or base64url) that encrypts the private signing keys at rest.
   * Required in production; outside it, unset means a fixed development key (AUTH_MFA_ENCRYPTION_KEY's rules).
   */
  @EncryptionKey()
  AUTH_KEY_ENCRYPTION_KEY?: string;

  /** How long a signing key signs before the rotation job replaces it with the next one. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_SIGNING_KEY_ROTATION = '30d';

  /**
   * The longest an API key may live: a key created without `expiresAt` expires this long after,
   * and a later `expiresAt` is refused. `none` lifts the bound: a key without `expiresAt` never expires.
   */
  @Matches(/^(none|(\d+)\s*(ms|s|m|h|d)?)$/, { message: `$property must be none, or ${DURATION_MESSAGE}` })
  API_KEY_MAX_TTL = '365d';

  /** How long an invitation to an organization can be accepted after it was sent (or sent again). */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  ORG_INVITATION_TTL = '7d';

  /** How long verifiers may cache /.well-known/jwks.json (its `Cache-Control: max-age`). */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_JWKS_MAX_AGE = '5m';

  /** The `iss` of access tokens and of the authorization server metadata; set it to APP_PUBLIC_URL in production. */
  @IsString()
  AUTH_JWT_ISSUER = 'gatehouse';

  @IsString()
  AUTH_JWT_AUDIENCE = 'gatehouse-api';

  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_ACCESS_TOKEN_TTL = '15m';

  /** A session ends this long after login, whatever happens (absolute lifetime). */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_REFRESH_TOKEN_TTL = '30d';

  /**
   * A refresh token presented again this soon after it was spent (two tabs, a client retrying after a
   * lost answer) gets the same successor pair instead of ending the session; 0 turns this off.
   */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_REFRESH_REUSE_INTERVAL = '10s';

  /**
   * How long a sign-in or a reauthentication counts as recent: deleting the account and adding,
   * renaming or removing a passkey need one this recent (POST /auth/reauthenticate renews it).
   */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_REAUTHENTICATION_WINDOW = '10m';

  /** A session not refreshed for this long ends. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_SESSION_IDLE_TTL = '7d';

  /** The shortest password accepted at sign-up, change and reset (NIST 800-63B allows 8; we ask 12). */
  @ToInteger()
  @IsInt()
  @Min(8)
  @Max(64)
  AUTH_PASSWORD_MIN_LENGTH = DEFAULT_PASSWORD_MIN_LENGTH;

  /** Passwords zxcvbn scores below this (0 to 4) are refused: 3 resists an offline guess at a slow hash. */
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(4)
  AUTH_PASSWORD_MIN_SCORE = 3;

  /** How far an address may mix scripts (UTS #39 restriction levels; see common/script-restriction.ts). */
  @IsIn(RESTRICTION_LEVELS)
  AUTH_EMAIL_RESTRICTION_LEVEL: RestrictionLevel = 'highly-restrictive';

  /** Failed logins for one email before it is locked; each further lock lasts twice as long. */
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(1000)
  AUTH_LOCKOUT_THRESHOLD = 5;

  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_LOCKOUT_DURATION = '1m';

  /**
   * An account whose address is still not verified this long after sign-up is deleted by the
   * retention job (an address squatted by someone who cannot read it is freed); `0` keeps them.
   */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_UNVERIFIED_ACCOUNT_TTL = '7d';

  /** How long the link in a verification email works. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_VERIFY_EMAIL_TTL = '24h';

  /** How long the link in a password-reset email works. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_PASSWORD_RESET_TTL = '30m';

  /** How long the link that confirms a new email address works. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  AUTH_EMAIL_CHANGE_TTL = '1h';
}

export const authConfig = defineConfig('auth', AuthEnvironment, (env) => ({
  jwtSecret: env.AUTH_JWT_SECRET ?? randomBytes(32).toString('base64url'),
  /** No AUTH_JWT_SECRET (development): the key above is this process's own. */
  jwtSecretIsEphemeral: env.AUTH_JWT_SECRET === undefined,
  mfaEncryptionKey: env.AUTH_MFA_ENCRYPTION_KEY
    ? Buffer.from(env.AUTH_MFA_ENCRYPTION_KEY, 'base64url')
    : DEVELOPMENT_MFA_KEY,
  mfaIssuer: env.AUTH_MFA_ISSUER,
  signingAlgorithm: env.AUTH_SIGNING_ALGORITHM,
  keyEncryptionKey: env.AUTH_KEY_ENCRYPTION_KEY
    ? Buffer.from(env.AUTH_KEY_ENCRYPTION_KEY, 'base64url')
    : DEVELOPMENT_KEY_ENCRYPTION_KEY,
  signingKeyRotationSeconds: durationToSeconds(env.AUTH_SIGNING_KEY_ROTATION),
  jwksMaxAgeSeconds: durationToSeconds(env.AUTH_JWKS_MAX_AGE),
  /** Null: keys may live for ever (API_KEY_MAX_TTL=none). */
  apiKeyMaxTtlSeconds: env.API_KEY_MAX_TTL === 'none' ? null : durationToSeconds(env.API_KEY_MAX_TTL),
  orgInvitationTtlSeconds: durationToSeconds(env.ORG_INVITATION_TTL),
  issuer: env.AUTH_JWT_ISSUER,
  audience: env.AUTH_JWT_AUDIENCE,
  accessTokenTtlSeconds: durationToSeconds(env.AUTH_ACCESS_TOKEN_TTL),
  refreshTokenTtlSeconds: durationToSeconds(env.AUTH_REFRESH_TOKEN_TTL),
  refreshReuseSeconds: durationToSeconds(env.AUTH_REFRESH_REUSE_INTERVAL),
  sessionIdleTtlSeconds: durationToSeconds(env.AUTH_SESSION_IDLE_TTL),
  reauthenticationWindowSeconds: durationToSeconds(env.AUTH_REAUTHENTICATION_WINDOW),
  passwordMinLength: env.AUTH_PASSWORD_MIN_LENGTH,
  passwordMinScore: env.AUTH_PASSWORD_MIN_SCORE,
  emailRestrictionLevel: env.AUTH_EMAIL_RESTRICTION_LEVEL,
  lockoutThreshold: env.AUTH_LOCKOUT_THRESHOLD,
  lockoutSeconds: durationToSeconds(env.AUTH_LOCKOUT_DURATION),
  verifyEmailTtlSeconds: durationToSeconds(env.AUTH_VERIFY_EMAIL_TTL),
  unverifiedAccountTtlSeconds: durationToSeconds(env.AUTH_UNVERIFIED_ACCOUNT_TTL),
  passwordResetTtlSeconds: durationToSeconds(env.AUTH_PASSWORD_RESET_TTL),
  emailChangeTtlSeconds: durationToSeconds(env.AUTH_EMAIL_CHANGE_TTL),
}));
export type AuthConfig = ConfigOf<typeof authConfig>;
