import { hash } from '@node-rs/argon2';
import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at OWASP minimum parameters and verifies', async () => {
    const hashed = await hasher.hash('correct horse battery 42');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(hashed, 'correct horse battery 42')).resolves.toBe(true);
    await expect(hasher.verify(hashed, 'correct horse battery 43')).resolves.toBe(false);
    expect(hasher.needsRehash(hashed)).toBe(false);
  });

  it('treats a malformed hash as a failed verification', async () => {
    await expect(hasher.verify('not a hash', 'anything at all')).resolves.toBe(false);
  });

  it('asks for a rehash of weaker hashes', async () => {
    const weak = await hash('correct horse battery 42', { memoryCost: 8192, timeCost: 1, parallelism: 1 });
    expect(hasher.needsRehash(weak)).toBe(true);
  });

  /** A PHC string of argon2 with these parameters (salt and hash do not matter to the check). */
  const phc = (parameters: string, prefix = '$argon2id$v=19') =>
    `${prefix}$${parameters}$c2FsdHNhbHQ$aGFzaGhhc2g`;

  it('asks for a rehash when any one parameter is under today’s, the others at it', () => {
    expect(hasher.needsRehash(phc('m=19456,t=2,p=1'))).toBe(false);
    expect(hasher.needsRehash(phc('m=19455,t=2,p=1'))).toBe(true);
    expect(hasher.needsRehash(phc('m=19456,t=1,p=1'))).toBe(true);
    expect(hasher.needsRehash(phc('m=19456,t=2,p=0'))).toBe(true);
  });

  it('keeps a hash whose parameters are stronger, however many digits they take', () => {
    expect(hasher.needsRehash(phc('m=65536,t=12,p=16'))).toBe(false);
  });

  it('asks for a rehash of anything that is not an argon2id hash of this version', () => {
    for (const other of [
      phc('m=19456,t=2,p=1', '$argon2i$v=19'),
      phc('m=19456,t=2,p=1', '$argon2id$v=16'),
      `x${phc('m=19456,t=2,p=1')}`,
      '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
      '',
    ])
      expect(hasher.needsRehash(other)).toBe(true);
  });
});
