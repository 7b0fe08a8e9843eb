import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LinksRevokedAt1796549406798 implements MigrationInterface {
  name = 'LinksRevokedAt1796549406798';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "links_revoked_at" TIMESTAMP(3) WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "links_revoked_at"`);
  }
}
