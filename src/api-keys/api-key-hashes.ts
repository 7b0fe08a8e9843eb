import { Inject, Injectable } from '@nestjs/common';
import { ServerKeys } from '../common/server-keys.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';

/**
 * The keyed hash stored for a key (HMAC-SHA256 under a key derived from AUTH_KEY_ENCRYPTION_KEY):
 * a copy of the database alone cannot test guesses. Changing that key invalidates every API key.
 */
@Injectable()
export class ApiKeyHashes {
  private readonly keys: ServerKeys;

  constructor(@Inject(authConfig.KEY) auth: AuthConfig) {
    this.keys = new ServerKeys(auth.keyEncryptionKey);
  }

  of(key: string): Buffer {
    return this.keys.hmac('api-key', key);
  }
}
