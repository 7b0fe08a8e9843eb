import { createHash } from 'node:crypto';
import { ServerKeys } from '../common/server-keys.js';
import { newRecoveryCodes, RECOVERY_CODE_COUNT, RecoveryCodeHashes } from './recovery-codes.js';

const hashes = (secret = 'a server key of thirty-two bytes!') =>
  new RecoveryCodeHashes(new ServerKeys(secret));

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
    expect(hashes().of(typed).equals(hashes().of(code!))).toBe(true);
    expect(hashes().of(other!).equals(hashes().of(code!))).toBe(false);
  });

  // docs/security-model.md, I4: whoever reads the table alone cannot test guesses against it.
  it('are stored keyed: neither their plain SHA-256 nor the hash under another server key', () => {
    const [code] = newRecoveryCodes();
    const plain = createHash('sha256').update(code!.replace('-', '')).digest();
    expect(hashes().of(code!).equals(plain)).toBe(false);
    expect(hashes().of(code!).equals(hashes('another server key').of(code!))).toBe(false);
  });

  it('look a typed code up by its HMAC and, for codes issued before, its plain SHA-256', () => {
    const [code] = newRecoveryCodes();
    const plain = createHash('sha256').update(code!.replace('-', '')).digest();
    expect(hashes().candidates(code!.toLowerCase())).toEqual([hashes().of(code!), plain]);
  });
});
