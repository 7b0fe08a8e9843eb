import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One canonical form per address (src/users/email-address.ts), stored and unique, in place of
 * PostgreSQL's lower(email): the app computes it in JavaScript, so the two can no longer disagree
 * (lower('İ') is 'i' in PostgreSQL and 'i̇' in JavaScript). Generated, then reviewed: the column is
 * filled from the existing addresses before it becomes NOT NULL and unique, and the old expression
 * index goes. Two existing accounts whose addresses become one canonical form (a full-width and a
 * plain spelling) stop the migration at the unique index: resolve them by hand first.
 */
export class CanonicalEmail1795989164113 implements MigrationInterface {
  name = 'CanonicalEmail1795989164113';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "email_canonical" text`);
    for (;;) {
      const rows: { id: string; email: string }[] = await queryRunner.query(
        `SELECT id, email FROM users WHERE email_canonical IS NULL LIMIT 1000`,
      );
      if (rows.length === 0) break;
      await queryRunner.query(
        `UPDATE users SET email_canonical = c.canonical
           FROM unnest($1::uuid[], $2::text[]) AS c(id, canonical) WHERE users.id = c.id`,
        [rows.map((row) => row.id), rows.map((row) => canonical(row.email))],
      );
    }
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "email_canonical" SET NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "users_email_canonical_key" ON "users"  ("email_canonical") `,
    );
    await queryRunner.query(`DROP INDEX "public"."users_email_lower_key"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower("email"))`);
    await queryRunner.query(`DROP INDEX "public"."users_email_canonical_key"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_canonical"`);
  }
}

/** canonicalEmail as of this migration, copied so that the migration never changes with the app. */
function canonical(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase().normalize('NFC');
}
