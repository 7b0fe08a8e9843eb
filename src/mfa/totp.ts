import { Secret, TOTP } from 'otpauth';

/** What every authenticator app expects (RFC 6238's defaults): SHA-1, 6 digits, 30 seconds. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** ±1 step: a code from the previous or the next 30 seconds still works (a clock a little off). */
const WINDOW = 1;

const totpOf = (secret: string, label = '', issuer = '') =>
  new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });

/** A new secret: 160 random bits (RFC 4226's recommendation), base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://totp/…` URI an app scans: issuer and account name label the entry. */
export function totpUri(secret: string, issuer: string, account: string): string {
  return totpOf(secret, account, issuer).toString();
}

/**
 * The time step a code belongs to when it is right within ±1 step of `now`, or null. The caller
 * spends that step, so a code works once (the comparison is constant-time, in otpauth).
 */
export function matchingStep(secret: string, code: string, now: Date): number | null {
  const totp = totpOf(secret);
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: WINDOW });
  return delta === null ? null : totp.counter({ timestamp: now.getTime() }) + delta;
}
