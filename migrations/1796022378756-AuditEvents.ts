import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditEvents1796022378756 implements MigrationInterface {
  name = 'AuditEvents1796022378756';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" uuid NOT NULL, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "type" character varying(40) NOT NULL, "actor_user_id" uuid, "subject_user_id" uuid, "session_id" uuid, "ip_address" character varying(64), "user_agent" character varying(512), "request_id" character varying(128), "trace_id" character varying(32), "details" jsonb NOT NULL, CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed')), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_type_idx" ON "audit_events"  ("type", "occurred_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_actor_idx" ON "audit_events"  ("actor_user_id", "occurred_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_subject_idx" ON "audit_events"  ("subject_user_id", "occurred_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_occurred_at_id_idx" ON "audit_events"  ("occurred_at", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."audit_events_occurred_at_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_subject_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_actor_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_type_idx"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
