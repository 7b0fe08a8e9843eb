import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed form holds no plaintext', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('seals the same secret differently each time (a fresh IV)', () => {
    expect(box.seal('same', 'user-1')).not.toBe(box.seal('same', 'user-1'));
  });

  it('refuses another context, another key and an altered value', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    const UNAUTHENTIC = 'Unsupported state or unable to authenticate data';
    expect(() => box.open(sealed, 'user-2')).toThrow(UNAUTHENTIC);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'user-1')).toThrow(UNAUTHENTIC);
    const [version, iv, tag, ciphertext] = sealed.split('.');
    const flipped = Buffer.from(ciphertext!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.open([version, iv, tag, flipped.toString('base64url')].join('.'), 'user-1')).toThrow(
      UNAUTHENTIC,
    );
    expect(() => box.open('v2.a.b.c', 'user-1')).toThrow('not a sealed value');
  });

  it('wants a 256-bit key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('32 bytes');
  });
});
