import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountTokens1795717741674 implements MigrationInterface {
  name = 'AccountTokens1795717741674';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account_tokens" ("token_hash" bytea NOT NULL, "purpose" character varying(32) NOT NULL, "user_id" uuid NOT NULL, "bound_to" bytea NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "account_tokens_purpose_check" CHECK (purpose IN ('verify-email', 'reset-password')), CONSTRAINT "PK_167033390a71c52224c7c636c8b" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "account_tokens_user_id_idx" ON "account_tokens"  ("user_id") `);
    await queryRunner.query(
      `ALTER TABLE "account_tokens" ADD CONSTRAINT "account_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "account_tokens" DROP CONSTRAINT "account_tokens_user_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."account_tokens_user_id_idx"`);
    await queryRunner.query(`DROP TABLE "account_tokens"`);
  }
}
