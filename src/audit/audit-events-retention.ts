import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { retentionConfig, type RetentionConfig } from '../config/retention.config.js';
import { Retention, type RetentionPolicy } from '../jobs/retention.js';
import { AuditEventsRepository } from './audit-events.repository.js';

const DAY_MS = 86_400_000;

/** Events older than AUDIT_RETENTION_DAYS are deleted by the retention job, oldest first. */
@Injectable()
export class AuditEventsRetention implements RetentionPolicy, OnModuleInit {
  readonly table = 'audit_events';

  constructor(
    private readonly repository: AuditEventsRepository,
    private readonly registry: Retention,
    @Inject(retentionConfig.KEY) private readonly config: RetentionConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  purge(now: Date, limit: number): Promise<number> {
    return this.repository.purgeOlderThan(
      new Date(now.getTime() - this.config.auditRetentionDays * DAY_MS),
      limit,
    );
  }
}
