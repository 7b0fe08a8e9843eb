import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The account lifecycle (issue 19): where a session was used (its client address and user agent),
 * an account's status with the time and reason of its suspension, and the indexes the retention job
 * reads ended sessions and expired tokens by. Generated, then reviewed: the new columns are nullable
 * or have a constant default (no table rewrite on PostgreSQL 11+); the two checks scan `users` once;
 * the indexes are built inside the migration's transaction, which blocks writes to `sessions` and
 * `account_tokens` while they build (seconds per million rows).
 */
export class AccountLifecycle1795994157622 implements MigrationInterface {
  name = 'AccountLifecycle1795994157622';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" ADD "status" character varying(16) NOT NULL DEFAULT 'active'`,
    );
    await queryRunner.query(`ALTER TABLE "users" ADD "suspended_at" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "users" ADD "suspension_reason" character varying(500)`);
    await queryRunner.query(`ALTER TABLE "sessions" ADD "user_agent" character varying(512)`);
    await queryRunner.query(`ALTER TABLE "sessions" ADD "ip_address" character varying(64)`);
    await queryRunner.query(`CREATE INDEX "sessions_last_used_at_idx" ON "sessions"  ("last_used_at") `);
    await queryRunner.query(`CREATE INDEX "sessions_expires_at_idx" ON "sessions"  ("expires_at") `);
    await queryRunner.query(
      `CREATE INDEX "account_tokens_expires_at_idx" ON "account_tokens"  ("expires_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "users_suspension_check" CHECK ((status = 'suspended') = (suspended_at IS NOT NULL AND suspension_reason IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "users_status_check" CHECK (status IN ('active', 'suspended'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "users_status_check"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "users_suspension_check"`);
    await queryRunner.query(`DROP INDEX "public"."account_tokens_expires_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."sessions_expires_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."sessions_last_used_at_idx"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "ip_address"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "user_agent"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "suspension_reason"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "suspended_at"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "status"`);
  }
}
