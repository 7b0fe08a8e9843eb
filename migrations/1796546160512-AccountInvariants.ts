import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 29: a session's last proof (the sign-in, then each reauthentication), and the audit events
 * of failed proofs, denied access, refresh repeats and reauthentications. Existing sessions count as
 * authenticated when they signed in.
 */
export class AccountInvariants1796546160512 implements MigrationInterface {
  name = 'AccountInvariants1796546160512';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" ADD "authenticated_at" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "sessions" SET "authenticated_at" = "created_at"`);
    await queryRunner.query(`ALTER TABLE "sessions" ALTER COLUMN "authenticated_at" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset'))`,
    );
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "authenticated_at"`);
  }
}
