import { createHash, randomBytes } from 'node:crypto';

/** An opaque refresh token: 256 random bits, URL-safe. Only its SHA-256 is ever stored. */
export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
