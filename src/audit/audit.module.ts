import { Module } from '@nestjs/common';
import { AuditEventsController, SecurityEventsController } from './audit-events.controller.js';
import { AuditLogModule } from './audit-log.module.js';

/** The audit log's routes: the admins' list, and each person's own security events. */
@Module({
  imports: [AuditLogModule],
  controllers: [AuditEventsController, SecurityEventsController],
})
export class AuditModule {}
