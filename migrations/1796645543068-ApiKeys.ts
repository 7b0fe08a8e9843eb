import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeys1796645543068 implements MigrationInterface {
  name = 'ApiKeys1796645543068';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" character varying(64) NOT NULL, "prefix" character varying(8) NOT NULL, "secret_hash" bytea NOT NULL, "scopes" text array NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE, "last_used_at" TIMESTAMP(3) WITH TIME ZONE, "last_used_from" character varying(64), CONSTRAINT "api_keys_scopes_check" CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['users:read', 'users:write', 'sessions:read', 'audit:read']::text[]), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"  ("secret_hash") `);
    await queryRunner.query(
      `CREATE INDEX "api_keys_user_id_created_at_idx" ON "api_keys"  ("user_id", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // TypeORM's generator does not see a changed CHECK: the audit log's new types, by hand.
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset', 'signing-key.created', 'signing-key.rotated', 'signing-key.retired', 'api-key.created', 'api-key.used-from-new-address', 'api-key.revoked'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "audit_events" WHERE type LIKE 'api-key.%'`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset', 'signing-key.created', 'signing-key.rotated', 'signing-key.retired'))`,
    );
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_user_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."api_keys_user_id_created_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."api_keys_secret_hash_key"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
