import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SecondFactors1796032890888 implements MigrationInterface {
  name = 'SecondFactors1796032890888';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mfa_challenges" ("token_hash" bytea NOT NULL, "purpose" character varying(32) NOT NULL, "user_id" uuid, "failures" integer NOT NULL DEFAULT '0', "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "mfa_challenges_purpose_check" CHECK (purpose IN ('login', 'passkey-registration', 'passkey-authentication')), CONSTRAINT "PK_cf5f2cdf8d418c02661b06a9312" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "mfa_challenges_expires_at_idx" ON "mfa_challenges"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "passkeys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "credential_id" text NOT NULL, "public_key" bytea NOT NULL, "sign_count" bigint NOT NULL, "transports" text array NOT NULL DEFAULT '{}', "device_type" character varying(16) NOT NULL, "backed_up" boolean NOT NULL, "name" character varying(64) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "last_used_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_db928e6fd79e7098911268a74c3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "passkeys_credential_id_key" ON "passkeys"  ("credential_id") `,
    );
    await queryRunner.query(`CREATE INDEX "passkeys_user_id_idx" ON "passkeys"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "recovery_codes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "code_hash" bytea NOT NULL, "used_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0723b9e53961e799027d7f7ba32" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "recovery_codes_user_id_code_hash_key" ON "recovery_codes"  ("user_id", "code_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "totp_factors" ("user_id" uuid NOT NULL, "secret_sealed" text NOT NULL, "confirmed_at" TIMESTAMP(3) WITH TIME ZONE, "last_used_step" integer, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_eded11141800ddff9dfbd017fd2" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(`ALTER TABLE "users" ADD "totp_enabled" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "users" ADD "passkey_count" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `ALTER TABLE "mfa_challenges" ADD CONSTRAINT "mfa_challenges_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "passkeys" ADD CONSTRAINT "passkeys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "totp_factors" ADD CONSTRAINT "totp_factors_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Written by hand: TypeORM does not compare a check constraint's expression. The new MFA types.
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "audit_events" WHERE type LIKE 'mfa.%'`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed'))`,
    );
    await queryRunner.query(`ALTER TABLE "totp_factors" DROP CONSTRAINT "totp_factors_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "recovery_codes" DROP CONSTRAINT "recovery_codes_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "passkeys" DROP CONSTRAINT "passkeys_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "mfa_challenges" DROP CONSTRAINT "mfa_challenges_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "passkey_count"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "totp_enabled"`);
    await queryRunner.query(`DROP TABLE "totp_factors"`);
    await queryRunner.query(`DROP INDEX "public"."recovery_codes_user_id_code_hash_key"`);
    await queryRunner.query(`DROP TABLE "recovery_codes"`);
    await queryRunner.query(`DROP INDEX "public"."passkeys_user_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."passkeys_credential_id_key"`);
    await queryRunner.query(`DROP TABLE "passkeys"`);
    await queryRunner.query(`DROP INDEX "public"."mfa_challenges_expires_at_idx"`);
    await queryRunner.query(`DROP TABLE "mfa_challenges"`);
  }
}
