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
});
