import { calculateJwkThumbprint, importJWK } from 'jose';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { generateKeyMaterial, publicKeyPemOf, thumbprintOf } from './key-material.js';

describe('key material', () => {
  it.each([
    ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }, 'ed25519'],
    ['ES256', { kty: 'EC', crv: 'P-256' }, 'ec'],
  ] as const)(
    'makes %s pairs whose kid is the RFC 7638 thumbprint and whose JWK is public only',
    async (algorithm, kind, type) => {
      const material = generateKeyMaterial(algorithm);
      expect(material.algorithm).toBe(algorithm);
      expect(material.publicJwk).toMatchObject(kind);
      expect(Object.keys(material.publicJwk).toSorted()).toEqual(
        (algorithm === 'ES256' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x']).toSorted(),
      );
      // Another implementation derives the same kid from the published key.
      expect(material.kid).toBe(await calculateJwkThumbprint(material.publicJwk, 'sha256'));
      expect(thumbprintOf(material.publicJwk)).toBe(material.kid);
      const privateKey = createPrivateKey(material.privateKeyPem);
      expect(privateKey.asymmetricKeyType).toBe(type);
      // The published key verifies what the private one signs, through the PEM the verifier is given.
      const data = Buffer.from('signed');
      const hash = algorithm === 'EdDSA' ? null : 'sha256';
      const signature = sign(hash, data, privateKey);
      expect(verify(hash, data, createPublicKey(publicKeyPemOf(material.publicJwk)), signature)).toBe(true);
      expect(await importJWK({ ...material.publicJwk }, algorithm)).toBeDefined();
    },
  );

  it('names each pair differently', () => {
    const kids = new Set(Array.from({ length: 20 }, () => generateKeyMaterial('EdDSA').kid));
    expect(kids.size).toBe(20);
  });
});
