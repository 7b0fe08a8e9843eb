import { jest } from '@jest/globals';
import { Secret, TOTP } from 'otpauth';
import { Clock } from '../../src/common/clock.js';
import { bearer, send, type ApiClient } from './api-client.js';
import { PASSWORD } from './factories.js';
import type { TestApp } from './test-app.js';

const PERIOD_MS = 30_000;

/**
 * What an authenticator app does with the secret a setup returned: the code of any moment, computed
 * by the library (not by the code under test's helpers).
 */
export class AuthenticatorApp {
  private readonly totp: TOTP;
  /** `now`: the phone's time; a test that stopped the server's clock passes the same instant. */
  constructor(
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  }

  /** The code `steps` periods from now: 0 now, -1 the previous, +1 the next. */
  code(steps = 0): string {
    return this.totp.generate({ timestamp: this.now() + steps * PERIOD_MS });
  }
}

/**
 * Time under the test's control: the app's injected Clock stopped in the middle of a 30 s step, and
 * moved only by `advance`. An AuthenticatorApp given `now` reads the same instant, so a code and
 * the server's check fall in the step the test means, without waiting out a step's edge.
 */
export function stopClock(t: TestApp) {
  let now = Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS + PERIOD_MS / 2;
  jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(now));
  return {
    now: () => now,
    /** Moves the clock on by whole steps. */
    advanceSteps(steps: number) {
      now += steps * PERIOD_MS;
    },
  };
}

/**
 * Turns an authenticator app on for a signed-in user, through the API as a person does (set up,
 * then confirm with the app's first code): the app, and the recovery codes the confirmation showed.
 */
export async function enableTotp(
  api: ApiClient,
  accessToken: string,
  currentPassword = PASSWORD,
  now: () => number = Date.now,
) {
  const setup = await send(
    api.POST('/api/v1/auth/mfa/totp/setup', { ...bearer(accessToken), body: { currentPassword } }),
  );
  if (setup.status !== 200) throw new Error(`TOTP setup failed: ${setup.status} ${setup.text}`);
  const app = new AuthenticatorApp(setup.body.secret, now);
  const confirmed = await send(
    api.POST('/api/v1/auth/mfa/totp/confirm', { ...bearer(accessToken), body: { code: app.code() } }),
  );
  if (confirmed.status !== 200)
    throw new Error(`TOTP confirmation failed: ${confirmed.status} ${confirmed.text}`);
  return { app, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}
