import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { ServerKeys } from '../common/server-keys.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { hashOpaqueToken, newOpaqueToken } from '../common/opaque-tokens.js';

export interface RefreshToken {
  token: string;
  hash: Buffer;
}

/**
 * Refresh tokens. A session's first is random; each later one is an HMAC of the token it replaces,
 * under a key derived from AUTH_JWT_SECRET. So a repeat of a token just spent (two tabs, a retry
 * after a lost answer) can be answered with the very successor the first call got, without storing
 * any token: the database keeps hashes only, and nobody without the key can compute a successor.
 */
@Injectable()
export class RefreshTokens {
  private readonly successorKey: Buffer;

  constructor(@Inject(authConfig.KEY) auth: AuthConfig) {
    this.successorKey = new ServerKeys(auth.jwtSecret).key('gatehouse refresh-token successor');
  }

  first(): RefreshToken {
    return newOpaqueToken();
  }

  successorOf(token: string): RefreshToken {
    const successor = createHmac('sha256', this.successorKey).update(token, 'utf8').digest('base64url');
    return { token: successor, hash: hashOpaqueToken(successor) };
  }
}
