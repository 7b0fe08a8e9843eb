import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * A POST made with an `Idempotency-Key`: who sent it (`scope`), what it was (`fingerprint`: the
 * HMAC of its method, path and body under a server key), and, once it succeeded, the answer to replay. `claim` names
 * the request that is working on it; while `status` is null the work is in progress.
 */
@Entity({ name: 'idempotent_requests' })
// The retention job deletes expired keys, oldest first.
@Index('idempotent_requests_expires_at_idx', ['expiresAt'])
export class IdempotentRequest {
  /** `user:<id>` for a signed-in caller, `address:<ip>` on a public route. */
  @PrimaryColumn({ type: 'varchar', length: 80 })
  scope: string;

  @PrimaryColumn({ type: 'varchar', length: IDEMPOTENCY_KEY_MAX_LENGTH })
  key: string;

  @Column({ type: 'bytea' })
  fingerprint: Buffer;

  @Column({ type: 'uuid' })
  claim: string;

  /** The answer's status; null while the first request is still running. */
  @Column({ type: 'smallint', nullable: true })
  status: number | null;

  /** The headers the operation set (`Location`, `Content-Type`, …), not the per-request ones. */
  @Column({ type: 'jsonb', nullable: true })
  headers: Record<string, string> | null;

  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;
}
