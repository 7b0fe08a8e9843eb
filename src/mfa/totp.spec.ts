import { TOTP } from 'otpauth';
import { matchingStep, newTotpSecret, totpUri } from './totp.js';

describe('TOTP', () => {
  const secret = newTotpSecret();
  const at = (ms: number) => new Date(ms);
  const app = (ms: number) =>
    new TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: ms });
  const now = Date.UTC(2026, 10, 30, 12, 0, 10);
  const step = Math.floor(now / 30_000);

  it('makes a 160-bit base32 secret, and a URI an app reads', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri(secret, 'Gatehouse', 'ada@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Gatehouse:ada@example.com');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret,
      issuer: 'Gatehouse',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it("finds the step of this, the previous and the next 30 seconds' codes, and no other", () => {
    expect(matchingStep(secret, app(now), at(now))).toBe(step);
    expect(matchingStep(secret, app(now - 30_000), at(now))).toBe(step - 1);
    expect(matchingStep(secret, app(now + 30_000), at(now))).toBe(step + 1);
    expect(matchingStep(secret, app(now - 60_000), at(now))).toBeNull();
    expect(matchingStep(secret, app(now + 60_000), at(now))).toBeNull();
    expect(matchingStep(newTotpSecret(), app(now), at(now))).toBeNull();
  });
});
