import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Retention, type RetentionPolicy } from '../jobs/retention.js';
import { SigningKeys } from './signing-keys.js';
import { SigningKeysRepository } from './signing-keys.repository.js';

/** A retired key leaves the key set once the last token it may have signed has expired. */
@Injectable()
export class SigningKeysRetention implements RetentionPolicy, OnModuleInit {
  readonly table = 'signing_keys';

  constructor(
    private readonly keys: SigningKeysRepository,
    private readonly signingKeys: SigningKeys,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  purge(now: Date, limit: number): Promise<number> {
    const retiredBefore = new Date(now.getTime() - this.signingKeys.retiredKeyLifetimeSeconds * 1000);
    return this.keys.purgeRetired(retiredBefore, limit);
  }
}
