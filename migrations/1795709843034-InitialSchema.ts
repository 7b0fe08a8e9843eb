import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795709843034 implements MigrationInterface {
  name = 'InitialSchema1795709843034';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "name" character varying(100) NOT NULL, "password_hash" text NOT NULL, "role" character varying(16) NOT NULL DEFAULT 'user', "email_verified" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "users_role_check" CHECK (role IN ('user', 'admin')), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "users_created_at_id_idx" ON "users"  ("created_at", "id") `);
    // Added by hand: emails are unique without regard to case (TypeORM cannot express this index).
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower("email"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."users_email_lower_key"`);
    await queryRunner.query(`DROP INDEX "public"."users_created_at_id_idx"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
