import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotentRequests1796012819595 implements MigrationInterface {
  name = 'IdempotentRequests1796012819595';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotent_requests" ("scope" character varying(80) NOT NULL, "key" character varying(255) NOT NULL, "fingerprint" bytea NOT NULL, "claim" uuid NOT NULL, "status" smallint, "headers" jsonb, "body" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_c61c401db0503a6fc70ad4c8d4d" PRIMARY KEY ("scope", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idempotent_requests_expires_at_idx" ON "idempotent_requests"  ("expires_at") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idempotent_requests_expires_at_idx"`);
    await queryRunner.query(`DROP TABLE "idempotent_requests"`);
  }
}
