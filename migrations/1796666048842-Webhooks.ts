import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1796666048842 implements MigrationInterface {
  name = 'Webhooks1796666048842';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_subscriptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" character varying(2048) NOT NULL, "description" character varying(200), "events" text array NOT NULL, "enabled" boolean NOT NULL, "disabled_reason" character varying(16), "consecutive_failures" integer NOT NULL DEFAULT '0', "secret_sealed" text NOT NULL, "previous_secret_sealed" text, "previous_secret_expires_at" TIMESTAMP(3) WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "webhook_subscriptions_disabled_reason_check" CHECK (disabled_reason IS NULL OR disabled_reason IN ('gone', 'failing')), CONSTRAINT "webhook_subscriptions_events_check" CHECK (cardinality(events) > 0 AND events <@ ARRAY['account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset', 'signing-key.created', 'signing-key.rotated', 'signing-key.retired', 'api-key.created', 'api-key.used-from-new-address', 'api-key.revoked', 'organization.created', 'organization.updated', 'organization.deleted', 'organization.member-added', 'organization.member-role-changed', 'organization.member-removed', 'organization.member-left', 'organization.invitation-sent', 'organization.invitation-revoked', 'webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.secret-rotated', 'webhook.disabled']::text[]), CONSTRAINT "PK_bf631ae77d39849d599817fb6f4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sequence" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "subscription_id" uuid NOT NULL, "event_id" uuid NOT NULL, "event_type" character varying(40) NOT NULL, "ordering_key" uuid, "payload" text NOT NULL, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_latency_ms" integer, "last_error" character varying(200), "last_attempt_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "settled_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "webhook_deliveries_status_check" CHECK (status IN ('pending', 'waiting', 'succeeded', 'failed')), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_settled_at_idx" ON "webhook_deliveries"  ("settled_at") WHERE settled_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_unsettled_idx" ON "webhook_deliveries"  ("subscription_id", "ordering_key", "sequence") WHERE status IN ('pending', 'waiting')`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_subscription_created_at_idx" ON "webhook_deliveries"  ("subscription_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_outbox" ("event_id" uuid NOT NULL, CONSTRAINT "PK_e56eda8cfffa4ddf2c83bd76eec" PRIMARY KEY ("event_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // By hand: TypeORM's generator does not see a changed CHECK (the new webhook.* audit types).
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset', 'signing-key.created', 'signing-key.rotated', 'signing-key.retired', 'api-key.created', 'api-key.used-from-new-address', 'api-key.revoked', 'organization.created', 'organization.updated', 'organization.deleted', 'organization.member-added', 'organization.member-role-changed', 'organization.member-removed', 'organization.member-left', 'organization.invitation-sent', 'organization.invitation-revoked', 'webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.secret-rotated', 'webhook.disabled'))`,
    );
    // By hand: the outbox is written by a trigger, so every recorded event some enabled subscription
    // wants is in it if, and only if, its transaction commits, whatever statement recorded it (the
    // hot paths insert their events in their own statements). With no subscription it costs one
    // look at an empty table.
    await queryRunner.query(
      `CREATE FUNCTION webhook_outbox_add() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled AND NEW.type = ANY (events)) THEN
           INSERT INTO webhook_outbox (event_id) VALUES (NEW.id);
         END IF;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_events_webhook_outbox AFTER INSERT ON "audit_events" FOR EACH ROW EXECUTE FUNCTION webhook_outbox_add()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_events_webhook_outbox ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION webhook_outbox_add()`);
    await queryRunner.query(`DELETE FROM "audit_events" WHERE type LIKE 'webhook.%'`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset', 'signing-key.created', 'signing-key.rotated', 'signing-key.retired', 'api-key.created', 'api-key.used-from-new-address', 'api-key.revoked', 'organization.created', 'organization.updated', 'organization.deleted', 'organization.member-added', 'organization.member-role-changed', 'organization.member-removed', 'organization.member-left', 'organization.invitation-sent', 'organization.invitation-revoked'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_subscription_id_fkey"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_subscriptions" DROP CONSTRAINT "webhook_subscriptions_created_by_fkey"`,
    );
    await queryRunner.query(`DROP TABLE "webhook_outbox"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_subscription_created_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_unsettled_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_settled_at_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE "webhook_subscriptions"`);
  }
}
