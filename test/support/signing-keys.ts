import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SecretBox } from '../../src/common/secret-box.js';
import { authConfig, type AuthConfig } from '../../src/config/auth.config.js';
import type { TestApp } from './test-app.js';

/**
 * The private key that signs now, opened as the app opens it: for tests that forge tokens with the
 * real key to show that a claim, not the signature, is what the app refuses.
 */
export async function currentSigningKey(t: TestApp): Promise<{ kid: string; alg: string; key: KeyObject }> {
  const [row] = await t.db.query(
    `SELECT kid, algorithm, private_key_sealed FROM signing_keys WHERE state = 'current'`,
  );
  const box = new SecretBox(t.app.get<AuthConfig>(authConfig.KEY).keyEncryptionKey);
  return {
    kid: row.kid,
    alg: row.algorithm,
    key: createPrivateKey(box.open(row.private_key_sealed, row.kid)),
  };
}

/** What would betray each private key in a text: its PEM's base64 lines and its JWK `d`. */
export async function privateKeyTexts(t: TestApp): Promise<string[]> {
  const rows: { kid: string; private_key_sealed: string }[] = await t.db.query(
    'SELECT kid, private_key_sealed FROM signing_keys',
  );
  const box = new SecretBox(t.app.get<AuthConfig>(authConfig.KEY).keyEncryptionKey);
  return rows.flatMap(({ kid, private_key_sealed: sealed }) => {
    const pem = box.open(sealed, kid);
    const lines = pem.split('\n').filter((line) => line && !line.startsWith('-----'));
    return [...lines, createPrivateKey(pem).export({ format: 'jwk' }).d!];
  });
}
