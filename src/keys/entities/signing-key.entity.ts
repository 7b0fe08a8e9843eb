import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ASYMMETRIC_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export const SIGNING_KEY_STATES = ['next', 'current', 'retired'] as const;
/**
 * `next`: published, not signing yet, so verifiers learn it before its first token; `current`: signs;
 * `retired`: published until every token it signed has expired, then deleted by the retention job.
 */
export type SigningKeyState = (typeof SIGNING_KEY_STATES)[number];

/** A JWK's public members (RFC 7517, RFC 8037 for OKP), as published. */
export interface PublicJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
}

/** A key that signs access tokens, or did, or will. At most one `current` and one `next`. */
@Entity({ name: 'signing_keys' })
@Check('signing_keys_state_check', `state IN ('next', 'current', 'retired')`)
@Check('signing_keys_algorithm_check', `algorithm IN ('EdDSA', 'ES256')`)
@Index('signing_keys_one_current', ['state'], { unique: true, where: `state = 'current'` })
@Index('signing_keys_one_next', ['state'], { unique: true, where: `state = 'next'` })
export class SigningKey {
  /** The key's RFC 7638 thumbprint: the same key always has the same `kid`. */
  @PrimaryColumn({ type: 'text' })
  kid: string;

  @Column({ type: 'text' })
  algorithm: AsymmetricAlgorithm;

  @Column({ type: 'text' })
  state: SigningKeyState;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: PublicJwk;

  /** The PKCS #8 private key, sealed with AUTH_KEY_ENCRYPTION_KEY and the `kid` (secret-box.ts). */
  @Column({ name: 'private_key_sealed', type: 'text' })
  privateKeySealed: string;

  /** When it was published: it may sign once verifiers that cached the document have seen it. */
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'activated_at', type: 'timestamptz', precision: 3, nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'retired_at', type: 'timestamptz', precision: 3, nullable: true })
  retiredAt: Date | null;
}
