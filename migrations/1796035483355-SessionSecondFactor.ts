import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionSecondFactor1796035483355 implements MigrationInterface {
  name = 'SessionSecondFactor1796035483355';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" ADD "second_factor" character varying(16)`);
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "sessions_second_factor_check" CHECK (second_factor IN ('totp', 'recovery-code', 'passkey'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "sessions_second_factor_check"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "second_factor"`);
  }
}
