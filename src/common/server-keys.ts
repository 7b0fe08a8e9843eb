import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Keys derived (HKDF-SHA256) from a server secret, one per purpose, so that nothing stored about a
 * secret can be checked offline by whoever reads the database alone (docs/security-model.md, I4):
 * an HMAC under such a key, never a plain hash. The purpose is the HKDF `info`: keys for different
 * purposes are independent, and changing a purpose's text changes its key.
 */
export class ServerKeys {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly secret: string | Buffer) {}

  key(purpose: string): Buffer {
    let key = this.keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.secret, Buffer.alloc(0), purpose, 32));
      this.keys.set(purpose, key);
    }
    return key;
  }

  /** HMAC-SHA256 of `data` under the purpose's key. */
  hmac(purpose: string, data: string): Buffer {
    return createHmac('sha256', this.key(purpose)).update(data, 'utf8').digest();
  }
}
