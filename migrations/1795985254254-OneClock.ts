import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The app sets `created_at` and `updated_at` from its injected Clock, like every other time it
 * stores: the database's own clock (DEFAULT now()) is no longer a second source of time. Reviewed:
 * the generator also dropped and recreated users_created_at_id_idx, which the defaults do not touch.
 */
export class OneClock1795985254254 implements MigrationInterface {
  name = 'OneClock1795985254254';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "created_at" DROP DEFAULT`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "updated_at" DROP DEFAULT`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "updated_at" SET DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "created_at" SET DEFAULT now()`);
  }
}
