import { hashRecoveryCode, newRecoveryCodes, RECOVERY_CODE_COUNT } from './recovery-codes.js';

describe('recovery codes', () => {
  it('are ten distinct codes of two groups of five, without look-alike characters', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/);
  });

  it('hash the same however they are typed back, and differently from each other', () => {
    const [code, other] = newRecoveryCodes();
    const typed = ` ${code!.toLowerCase().replace('-', ' ')} `;
    expect(hashRecoveryCode(typed).equals(hashRecoveryCode(code!))).toBe(true);
    expect(hashRecoveryCode(other!).equals(hashRecoveryCode(code!))).toBe(false);
  });
});
