import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Organizations1796654473812 implements MigrationInterface {
  name = 'Organizations1796654473812';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organizations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "slug" character varying(48) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "organizations_slug_key" ON "organizations"  ("slug") `);
    await queryRunner.query(
      `CREATE TABLE "invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "email" character varying(254) NOT NULL, "email_canonical" character varying(254) NOT NULL, "role" character varying(16) NOT NULL, "invited_by" uuid, "token_hash" bytea, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "invitations_role_check" CHECK (role IN ('owner', 'admin', 'member')), CONSTRAINT "PK_5dec98cfdfd562e4ad3648bbb07" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations"  ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "invitations_organization_id_created_at_idx" ON "invitations"  ("organization_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "invitations_organization_id_email_key" ON "invitations"  ("organization_id", "email_canonical") `,
    );
    await queryRunner.query(
      `CREATE TABLE "memberships" ("organization_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" character varying(16) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "memberships_role_check" CHECK (role IN ('owner', 'admin', 'member')), CONSTRAINT "PK_d43d9c8d18fcd49de0fa44bbd79" PRIMARY KEY ("organization_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "memberships_user_id_created_at_idx" ON "memberships"  ("user_id", "created_at", "organization_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "memberships_organization_id_created_at_idx" ON "memberships"  ("organization_id", "created_at", "user_id") `,
    );
    await queryRunner.query(`ALTER TABLE "sessions" ADD "organization_id" uuid`);
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "organization_id" uuid`);
    await queryRunner.query(
      `CREATE INDEX "audit_events_organization_idx" ON "audit_events"  ("organization_id", "occurred_at", "id") WHERE organization_id IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "invitations_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_fkey" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "sessions_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    // By hand: TypeORM's generator does not see a changed CHECK. The audit log's new types, and
    // the API keys' new scopes (src/audit/audit-event-types.ts, src/access/api-scopes.ts).
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset', 'signing-key.created', 'signing-key.rotated', 'signing-key.retired', 'api-key.created', 'api-key.used-from-new-address', 'api-key.revoked', 'organization.created', 'organization.updated', 'organization.deleted', 'organization.member-added', 'organization.member-role-changed', 'organization.member-removed', 'organization.member-left', 'organization.invitation-sent', 'organization.invitation-revoked'))`,
    );
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_scopes_check"`);
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_scopes_check" CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['users:read', 'users:write', 'sessions:read', 'audit:read', 'organizations:read', 'organizations:write']::text[])`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The checks as they were (an organization event or scope left in a row fails the revert).
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_type_check"`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_type_check" CHECK (type IN ('account.signed-up', 'account.role-changed', 'account.suspended', 'account.unsuspended', 'account.deleted', 'login.succeeded', 'login.failed', 'login.locked', 'login.unlocked', 'proof.failed', 'access.denied', 'session.logout', 'session.logout-all', 'session.revoked', 'session.revoked-all', 'session.refresh-token-reused', 'session.refresh-token-repeated', 'session.reauthenticated', 'password.changed', 'password.reset-requested', 'password.reset-completed', 'email.verified', 'email.change-requested', 'email.change-confirmed', 'mfa.totp-enabled', 'mfa.totp-disabled', 'mfa.recovery-codes-regenerated', 'mfa.recovery-code-used', 'mfa.passkey-added', 'mfa.passkey-renamed', 'mfa.passkey-removed', 'mfa.reset', 'signing-key.created', 'signing-key.rotated', 'signing-key.retired', 'api-key.created', 'api-key.used-from-new-address', 'api-key.revoked'))`,
    );
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_scopes_check"`);
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_scopes_check" CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['users:read', 'users:write', 'sessions:read', 'audit:read']::text[])`,
    );
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "sessions_organization_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "memberships_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "memberships_organization_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_invited_by_fkey"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "invitations_organization_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_organization_idx"`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "organization_id"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "organization_id"`);
    await queryRunner.query(`DROP INDEX "public"."memberships_organization_id_created_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."memberships_user_id_created_at_idx"`);
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_organization_id_email_key"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_organization_id_created_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_token_hash_key"`);
    await queryRunner.query(`DROP TABLE "invitations"`);
    await queryRunner.query(`DROP INDEX "public"."organizations_slug_key"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
  }
}
