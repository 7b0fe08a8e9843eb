import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { API_SCOPES, type ApiScope } from '../../access/api-scopes.js';
import { IP_ADDRESS_MAX_LENGTH } from '../../common/http/client-info.js';
import { sqlList } from '../../database/sql-list.js';
import { User } from '../../users/entities/user.entity.js';

export const API_KEY_NAME_MAX_LENGTH = 64;
/** Enough for every script and service one person runs; a bound on what one account can store. */
export const MAX_API_KEYS_PER_USER = 50;

/**
 * A key a machine calls the API with, for its owner (src/api-keys/). Only a keyed hash of the key's
 * text is stored (HMAC under a key derived from AUTH_KEY_ENCRYPTION_KEY), looked up by equality;
 * `prefix` is what the owner sees of it. Deleted with its owner; a revoked key is deleted.
 */
@Entity({ name: 'api_keys' })
@Check('api_keys_scopes_check', `cardinality(scopes) > 0 AND scopes <@ ARRAY[${sqlList(API_SCOPES)}]::text[]`)
@Index('api_keys_user_id_created_at_idx', ['userId', 'createdAt'])
@Index('api_keys_secret_hash_key', ['secretHash'], { unique: true })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'api_keys_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: API_KEY_NAME_MAX_LENGTH })
  name: string;

  /** The key's first characters (`gat_AbCd`), to tell keys apart in a list. */
  @Column({ type: 'varchar', length: 8 })
  prefix: string;

  @Column({ name: 'secret_hash', type: 'bytea', select: false })
  secretHash: Buffer;

  @Column({ type: 'text', array: true })
  scopes: ApiScope[];

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** Null only where API_KEY_MAX_TTL=none allows keys that never expire. */
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3, nullable: true })
  expiresAt: Date | null;

  /** Written at most once a minute per key. */
  @Column({ name: 'last_used_at', type: 'timestamptz', precision: 3, nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'last_used_from', type: 'varchar', length: IP_ADDRESS_MAX_LENGTH, nullable: true })
  lastUsedFrom: string | null;
}
