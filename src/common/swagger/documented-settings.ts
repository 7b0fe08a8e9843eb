import type { OpenAPIObject } from '@nestjs/swagger';
import type { AuthConfig } from '../../config/auth.config.js';
import type { HttpConfig } from '../../config/http.config.js';
import type { RateLimitConfig } from '../../config/rate-limit.config.js';
import { durationInWords } from '../../config/environment.js';

/**
 * Configured values that the API's documentation names. A description says `setting('name')` (a
 * `{{name}}` placeholder) and the document each deployment serves says its own value; the committed
 * openapi.json says the defaults. A placeholder without a value fails the document's build.
 */
export interface DocumentedSettings {
  passwordMinLength: number;
  accessTokenTtl: string;
  verifyEmailTtl: string;
  passwordResetTtl: string;
  emailChangeTtl: string;
  reauthenticationWindow: string;
  idempotencyKeyTtl: string;
  bodyLimit: number;
  rateLimitPerMinute: number;
  loginPerMinute: number;
  signupPerHour: number;
  emailPerHour: number;
  emailPerAccountPerHour: number;
  lockoutThreshold: number;
  orgInvitationTtl: string;
  orgInvitationsPerHour: number;
}

export const setting = (name: keyof DocumentedSettings) => `{{${name}}}`;

export function documentedSettings(
  auth: AuthConfig,
  http: HttpConfig,
  limits: RateLimitConfig,
): DocumentedSettings {
  return {
    passwordMinLength: auth.passwordMinLength,
    accessTokenTtl: durationInWords(auth.accessTokenTtlSeconds),
    verifyEmailTtl: durationInWords(auth.verifyEmailTtlSeconds),
    passwordResetTtl: durationInWords(auth.passwordResetTtlSeconds),
    emailChangeTtl: durationInWords(auth.emailChangeTtlSeconds),
    reauthenticationWindow: durationInWords(auth.reauthenticationWindowSeconds),
    idempotencyKeyTtl: durationInWords(http.idempotencyKeyTtlSeconds),
    bodyLimit: http.bodyLimit,
    rateLimitPerMinute: limits.perMinute,
    loginPerMinute: limits.loginPerMinute,
    signupPerHour: limits.signupPerHour,
    emailPerHour: limits.emailPerHour,
    emailPerAccountPerHour: limits.emailPerAccountPerHour,
    lockoutThreshold: auth.lockoutThreshold,
    orgInvitationTtl: durationInWords(auth.orgInvitationTtlSeconds),
    orgInvitationsPerHour: limits.orgInvitationsPerHour,
  };
}

/**
 * The document with every placeholder replaced, and the `minLength` of every new-password field
 * (`format: password` with a `minLength`; a current password has none) set to the configured one.
 */
export function withSettings(document: OpenAPIObject, settings: DocumentedSettings): OpenAPIObject {
  const values = settings as unknown as Record<string, unknown>;
  return JSON.parse(JSON.stringify(document), (_key, value: unknown) => {
    if (typeof value === 'string' && value.includes('{{'))
      return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
        if (!(name in values)) throw new Error(`the OpenAPI document names an unknown setting: ${name}`);
        return String(values[name]);
      });
    if (isNewPassword(value)) return { ...value, minLength: settings.passwordMinLength };
    return value;
  }) as OpenAPIObject;
}

function isNewPassword(value: unknown): value is Record<string, unknown> {
  const schema = value as { format?: unknown; minLength?: unknown } | null;
  return typeof schema === 'object' && schema?.format === 'password' && schema.minLength !== undefined;
}
