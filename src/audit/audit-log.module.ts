import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { retentionConfig, type RetentionConfig } from '../config/retention.config.js';
import { Retention } from '../jobs/retention.js';
import { AuditEventsRepository } from './audit-events.repository.js';
import { AuditLog } from './audit-log.js';
import { AuditEvent } from './entities/audit-event.entity.js';
import { EventIds } from './event-ids.js';

const DAY_MS = 86_400_000;

/** Events older than AUDIT_RETENTION_DAYS are deleted by the retention job, oldest first. */
@Injectable()
export class AuditEventsRetention implements OnModuleInit {
  constructor(
    private readonly repository: AuditEventsRepository,
    @Inject(retentionConfig.KEY) private readonly config: RetentionConfig,
    private readonly registry: Retention,
  ) {}

  onModuleInit(): void {
    this.registry.register('audit_events', (now, limit) =>
      this.repository.purgeOlderThan(
        new Date(now.getTime() - this.config.auditRetentionDays * DAY_MS),
        limit,
      ),
    );
  }
}

/**
 * The owner of `audit_events`: `AuditLog`, which the modules whose changes are security events
 * import to record them in their transactions, and the log's retention (so the worker, which
 * records the events of the jobs it runs, purges it too).
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  providers: [AuditEventsRepository, AuditLog, EventIds, AuditEventsRetention],
  exports: [AuditLog],
})
export class AuditLogModule {}
