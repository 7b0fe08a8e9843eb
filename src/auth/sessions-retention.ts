import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { retentionConfig, type RetentionConfig } from '../config/retention.config.js';
import { Retention } from '../jobs/retention.js';
import { MfaChallenge } from './entities/mfa-challenge.entity.js';
import { Session } from './entities/session.entity.js';

/**
 * Ended sessions are deleted RETENTION_ENDED_SESSIONS after they ended (their absolute end, or
 * AUTH_SESSION_IDLE_TTL after their last use), with their refresh tokens (the foreign key
 * cascades). A live session keeps its spent refresh tokens: reuse detection needs them, and they
 * are bounded by the session's life.
 */
@Injectable()
export class SessionsRetention implements OnModuleInit {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    @Inject(retentionConfig.KEY) private readonly retention: RetentionConfig,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register('sessions', (now, limit) => this.purge(now, limit));
  }

  /** One batch: the oldest first, by the two indexes on the session's two ends. */
  async purge(now: Date, limit: number): Promise<number> {
    const endedBefore = new Date(now.getTime() - this.retention.endedSessionsSeconds * 1000);
    const lastUsedBefore = new Date(endedBefore.getTime() - this.auth.sessionIdleTtlSeconds * 1000);
    const { affected } = await this.sessions
      .createQueryBuilder()
      .delete()
      .where(
        `id IN (SELECT id FROM sessions WHERE expires_at < :endedBefore
                UNION SELECT id FROM sessions WHERE last_used_at < :lastUsedBefore
                LIMIT :limit)`,
        { endedBefore, lastUsedBefore, limit },
      )
      .execute();
    return affected ?? 0;
  }
}

/**
 * The auth module's retention, in a module of its own so that `npm run worker` (which serves no
 * HTTP and so loads no AuthModule) runs it too.
 */
/** Second-factor challenges are worth nothing once expired (minutes after they were made): deleted. */
@Injectable()
export class MfaChallengesRetention implements OnModuleInit {
  constructor(
    @InjectRepository(MfaChallenge) private readonly challenges: Repository<MfaChallenge>,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register('mfa_challenges', async (now, limit) => {
      const { affected } = await this.challenges
        .createQueryBuilder()
        .delete()
        .where(
          `token_hash IN (SELECT token_hash FROM mfa_challenges WHERE expires_at < :now
                          ORDER BY expires_at LIMIT :limit)`,
          { now, limit },
        )
        .execute();
      return affected ?? 0;
    });
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([Session, MfaChallenge])],
  providers: [SessionsRetention, MfaChallengesRetention],
})
export class SessionsRetentionModule {}
