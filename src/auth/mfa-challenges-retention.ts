import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Retention, type RetentionPolicy } from '../jobs/retention.js';
import { MfaChallengesRepository } from './mfa-challenges.repository.js';

/** Second-factor challenges are worth nothing once expired (minutes after they were made): deleted. */
@Injectable()
export class MfaChallengesRetention implements RetentionPolicy, OnModuleInit {
  readonly table = 'mfa_challenges';

  constructor(
    private readonly challenges: MfaChallengesRepository,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  purge(now: Date, limit: number): Promise<number> {
    return this.challenges.purgeExpired(now, limit);
  }
}
