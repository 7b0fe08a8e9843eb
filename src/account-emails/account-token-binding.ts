import { createHash } from 'node:crypto';
import { canonicalEmail } from '../users/email-address.js';
import type { User } from '../users/entities/user.entity.js';
import type { AccountTokenPurpose } from './entities/account-token.entity.js';

/**
 * What a token vouches for, hashed: the address a verification link was sent to, the password hash a
 * reset link may replace, both for an email change; and, once the account was suspended, when its
 * links were last revoked. A token is stored with it and is dead once it no longer matches, so a
 * reset link dies when the password changes another way, a verification link when the address
 * changes, an email-change link when either does, and every link at a suspension (I5).
 */
export function bindingOf(
  purpose: AccountTokenPurpose,
  user: Pick<User, 'email' | 'passwordHash' | 'linksRevokedAt'>,
): Buffer {
  const bound = {
    'verify-email': () => canonicalEmail(user.email),
    'reset-password': () => user.passwordHash,
    'change-email': () => `${canonicalEmail(user.email)}\n${user.passwordHash}`,
  }[purpose]();
  // Only once set, so that the links of accounts never suspended keep their binding.
  const revoked = user.linksRevokedAt ? `\n${user.linksRevokedAt.toISOString()}` : '';
  return createHash('sha256')
    .update(bound + revoked, 'utf8')
    .digest();
}
