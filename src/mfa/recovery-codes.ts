import { createHash, randomInt } from 'node:crypto';
import type { ServerKeys } from '../common/server-keys.js';

export const RECOVERY_CODE_COUNT = 10;
/** No 0/O, 1/I/L: codes are read off paper and typed back. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const GROUP = 5;

/**
 * Ten codes of 10 characters from a 31-letter alphabet (about 50 bits each), shown as `ABCDE-FGHJK`.
 * Guessing one is out of reach under the login lock; only an HMAC of each is stored, under a key
 * derived from AUTH_MFA_ENCRYPTION_KEY (`RecoveryCodeHashes`): a slow hash would cost a verification
 * per stored code, and a plain one could be checked offline by whoever reads the table (I4).
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const letters = Array.from({ length: 2 * GROUP }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${letters.slice(0, GROUP)}-${letters.slice(GROUP)}`;
  });
}

/** How a user may type one back: any case, with or without the dash and spaces. */
const normalised = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

const PURPOSE = 'gatehouse recovery code';

/** What is stored of a recovery code, and what a typed one is looked up by. */
export class RecoveryCodeHashes {
  constructor(private readonly keys: ServerKeys) {}

  /** The HMAC every code issued is stored as. */
  of(code: string): Buffer {
    return this.keys.hmac(PURPOSE, normalised(code));
  }

  /**
   * What a typed code may be stored as: its HMAC, or the plain SHA-256 that codes issued before
   * keyed hashes were stored as, until their owner regenerates them (docs/security-model.md, I4).
   */
  candidates(code: string): Buffer[] {
    return [this.of(code), createHash('sha256').update(normalised(code), 'utf8').digest()];
  }
}
