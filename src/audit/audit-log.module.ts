import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEventsRetention } from './audit-events-retention.js';
import { AuditEventsRepository } from './audit-events.repository.js';
import { AuditLog } from './audit-log.js';
import { AuditEvent } from './entities/audit-event.entity.js';
import { EventIds } from './event-ids.js';

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
