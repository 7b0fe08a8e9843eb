import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { retentionConfig, type RetentionConfig } from '../config/retention.config.js';
import { Retention, type RetentionPolicy } from '../jobs/retention.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * Ended sessions are deleted RETENTION_ENDED_SESSIONS after they ended (their absolute end, or
 * AUTH_SESSION_IDLE_TTL after their last use), with their refresh tokens (the foreign key
 * cascades). A live session keeps its spent refresh tokens: reuse detection needs them, and they
 * are bounded by the session's life.
 */
@Injectable()
export class SessionsRetention implements RetentionPolicy, OnModuleInit {
  readonly table = 'sessions';

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly registry: Retention,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    @Inject(retentionConfig.KEY) private readonly retention: RetentionConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  purge(now: Date, limit: number): Promise<number> {
    const endedBefore = new Date(now.getTime() - this.retention.endedSessionsSeconds * 1000);
    const lastUsedBefore = new Date(endedBefore.getTime() - this.auth.sessionIdleTtlSeconds * 1000);
    return this.sessions.purgeEnded({ endedBefore, lastUsedBefore }, limit);
  }
}
