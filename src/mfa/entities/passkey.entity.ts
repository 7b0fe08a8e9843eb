import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

export const PASSKEY_NAME_MAX_LENGTH = 64;
/** Enough for every device a person owns; a bound on what one account can make the server store. */
export const MAX_PASSKEYS_PER_USER = 20;

/** A WebAuthn credential (a discoverable one: a passkey) registered to a user. */
@Entity({ name: 'passkeys' })
@Index('passkeys_user_id_idx', ['userId'])
@Index('passkeys_credential_id_key', ['credentialId'], { unique: true })
export class Passkey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'passkeys_user_id_fkey' })
  user?: User;

  /** The credential's id as the authenticator gave it, base64url. */
  @Column({ name: 'credential_id', type: 'text' })
  credentialId: string;

  /** COSE-encoded public key. */
  @Column({ name: 'public_key', type: 'bytea' })
  publicKey: Buffer;

  /** The authenticator's signature counter (0 for most passkeys, which do not count). */
  @Column({ name: 'sign_count', type: 'bigint', transformer: { to: (v: number) => v, from: Number } })
  signCount: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  transports: string[];

  /** Whether the credential may be synced to other devices (`multiDevice`) or not (`singleDevice`). */
  @Column({ name: 'device_type', type: 'varchar', length: 16 })
  deviceType: string;

  @Column({ name: 'backed_up', type: 'boolean' })
  backedUp: boolean;

  @Column({ type: 'varchar', length: PASSKEY_NAME_MAX_LENGTH })
  name: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', precision: 3, nullable: true })
  lastUsedAt: Date | null;
}
