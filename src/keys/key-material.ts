import { createPublicKey, generateKeyPairSync, hash, type KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm, PublicJwk } from './entities/signing-key.entity.js';

/** A new key pair: its public JWK and `kid`, and the private key as PKCS #8 PEM (to be sealed at once). */
export interface KeyMaterial {
  kid: string;
  algorithm: AsymmetricAlgorithm;
  publicJwk: PublicJwk;
  privateKeyPem: string;
}

export function generateKeyMaterial(algorithm: AsymmetricAlgorithm): KeyMaterial {
  const { publicKey, privateKey } =
    algorithm === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicJwkOf(publicKey);
  return {
    kid: thumbprintOf(publicJwk),
    algorithm,
    publicJwk,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** The key's public members only: node's JWK export of a public key has no `d`, and we keep no more. */
function publicJwkOf(publicKey: KeyObject): PublicJwk {
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  if ((kty !== 'OKP' && kty !== 'EC') || (crv !== 'Ed25519' && crv !== 'P-256') || !x)
    throw new Error(`not a signing key this service makes: ${kty} ${crv}`);
  return { kty, crv, x, ...(y && { y }) };
}

/**
 * RFC 7638: the SHA-256 of the required members in lexicographic order, without whitespace. The
 * `kid` is then the key's own name: two services deriving it from the JWK agree.
 */
export function thumbprintOf(jwk: PublicJwk): string {
  const canonical =
    jwk.kty === 'EC'
      ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return hash('sha256', canonical, 'base64url');
}

/** The PEM of a JWK's public key, as fast-jwt's verifier takes it. */
export function publicKeyPemOf(jwk: PublicJwk): string {
  return createPublicKey({ key: { ...jwk }, format: 'jwk' })
    .export({ format: 'pem', type: 'spki' })
    .toString();
}
