import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SigningKeys1796632171362 implements MigrationInterface {
  name = 'SigningKeys1796632171362';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "signing_keys" ("kid" text NOT NULL, "algorithm" text NOT NULL, "state" text NOT NULL, "public_jwk" jsonb NOT NULL, "private_key_sealed" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "activated_at" TIMESTAMP(3) WITH TIME ZONE, "retired_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "signing_keys_algorithm_check" CHECK (algorithm IN ('EdDSA', 'ES256')), CONSTRAINT "signing_keys_state_check" CHECK (state IN ('next', 'current', 'retired')), CONSTRAINT "PK_13362ac3e792c69417e1a53d355" PRIMARY KEY ("kid"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "signing_keys_one_next" ON "signing_keys"  ("state") WHERE state = 'next'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "signing_keys_one_current" ON "signing_keys"  ("state") WHERE state = 'current'`,
    );
    // The audit log's new types (keys.service.ts records them); TypeORM does not compare checks.
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset', 'signing-key.created', 'signing-key.rotated', 'signing-key.retired'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "audit_events" WHERE type LIKE 'signing-key.%'`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset'))`,
    );
    await queryRunner.query(`DROP INDEX "public"."signing_keys_one_current"`);
    await queryRunner.query(`DROP INDEX "public"."signing_keys_one_next"`);
    await queryRunner.query(`DROP TABLE "signing_keys"`);
  }
}
