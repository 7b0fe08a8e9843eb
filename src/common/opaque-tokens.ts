import { createHash, randomBytes } from 'node:crypto';

/**
 * An opaque token (refresh tokens, the links in account emails): 256 random bits, URL-safe. Only
 * its SHA-256 is ever stored, so a copy of the database lets nobody use one.
 */
export function newOpaqueToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashOpaqueToken(token) };
}

export function hashOpaqueToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
