import { Secret, TOTP } from 'otpauth';
import { bearer, send, type ApiClient } from './api-client.js';
import { PASSWORD } from './factories.js';

const PERIOD_MS = 30_000;

/**
 * What an authenticator app does with the secret a setup returned: the code of any moment, computed
 * by the library (not by the code under test's helpers).
 */
export class AuthenticatorApp {
  private readonly totp: TOTP;
  constructor(secret: string) {
    this.totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  }

  /** The code `steps` periods from now: 0 now, -1 the previous, +1 the next. */
  code(steps = 0): string {
    return this.totp.generate({ timestamp: Date.now() + steps * PERIOD_MS });
  }
}

/**
 * Waits out the last 3 s of a 30 s step, so that a test's codes and the server's check fall in
 * the same step (a code "from the previous step" must not become two steps old on the way).
 */
export async function awayFromStepEdge(): Promise<void> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (left < 3_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * Turns an authenticator app on for a signed-in user, through the API as a person does (set up,
 * then confirm with the app's first code): the app, and the recovery codes the confirmation showed.
 */
export async function enableTotp(api: ApiClient, accessToken: string, currentPassword = PASSWORD) {
  const setup = await send(
    api.POST('/api/v1/auth/mfa/totp/setup', { ...bearer(accessToken), body: { currentPassword } }),
  );
  if (setup.status !== 200) throw new Error(`TOTP setup failed: ${setup.status} ${setup.text}`);
  const app = new AuthenticatorApp(setup.body.secret);
  const confirmed = await send(
    api.POST('/api/v1/auth/mfa/totp/confirm', { ...bearer(accessToken), body: { code: app.code() } }),
  );
  if (confirmed.status !== 200)
    throw new Error(`TOTP confirmation failed: ${confirmed.status} ${confirmed.text}`);
  return { app, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}
