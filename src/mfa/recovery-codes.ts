import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** No 0/O, 1/I/L: codes are read off paper and typed back. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const GROUP = 5;

/**
 * Ten codes of 10 characters from a 31-letter alphabet (about 50 bits each), shown as `ABCDE-FGHJK`.
 * Guessing one is out of reach under the login lock; only a SHA-256 of each is stored (a slow hash
 * buys nothing at 50 bits of randomness, and would cost a verification per stored code).
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const letters = Array.from({ length: 2 * GROUP }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${letters.slice(0, GROUP)}-${letters.slice(GROUP)}`;
  });
}

/** How a user may type one back: any case, with or without the dash and spaces. */
export function hashRecoveryCode(code: string): Buffer {
  const normalised = code.toUpperCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(normalised, 'utf8').digest();
}
