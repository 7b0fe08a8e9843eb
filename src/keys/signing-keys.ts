import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { Clock } from '../common/clock.js';
import { SecretBox } from '../common/secret-box.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { JobsService } from '../jobs/jobs.service.js';
import type { AsymmetricAlgorithm, SigningKey, SigningKeyState } from './entities/signing-key.entity.js';
import { generateKeyMaterial } from './key-material.js';
import { CLOCK_SKEW_SECONDS, KeyRing } from './key-ring.js';
import { KEY_SET_REFRESH_SECONDS } from './key-set-refresh.js';
import { KeyAlreadyRetiredError, NextKeyTooYoungError, UnknownKeyError } from './keys.errors.js';
import { SigningKeysRepository } from './signing-keys.repository.js';

export const KEY_ROTATION_QUEUE = 'signing-key-rotation';
/** Hourly: a rotation is due every AUTH_SIGNING_KEY_ROTATION, so at most an hour late. */
const KEY_ROTATION_SCHEDULE = '17 * * * *';

/** A key as `keys list` shows it: never its private part. */
export interface SigningKeySummary {
  kid: string;
  algorithm: AsymmetricAlgorithm;
  state: SigningKeyState;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  /** `next`: from when a rotation may make it sign; `retired`: when it leaves the document. */
  until: Date | null;
}

/**
 * The life of the signing keys: `next` (published) → `current` (signs) → `retired` (published
 * until its tokens expired) → deleted (SigningKeysRetention). There is always a `next`, published
 * at least AUTH_JWKS_MAX_AGE + one access-token lifetime before a rotation lets it sign, so a
 * verifier that cached the document has it before its first token. Every change is made under one
 * advisory lock, audited, and read by every instance within KEY_SET_REFRESH_SECONDS: a poll, not
 * LISTEN/NOTIFY, because nothing needs to be faster (a rotation only promotes a key every instance
 * already knows) and a poll needs no session held open on the direct connection.
 */
@Injectable()
export class SigningKeys implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('SigningKeys');

  constructor(
    @Inject(authConfig.KEY) private readonly auth: AuthConfig,
    private readonly repository: SigningKeysRepository,
    private readonly ring: KeyRing,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    /** Sealed with AUTH_KEY_ENCRYPTION_KEY (KeysModule). */
    private readonly box: SecretBox,
  ) {}

  onModuleInit(): void {
    this.jobs.defineSchedule(KEY_ROTATION_QUEUE, KEY_ROTATION_SCHEDULE, () => this.rotateIfDue());
  }

  /** After the migrations (module init): a key set to sign with, then the ring reads it. */
  async onApplicationBootstrap(): Promise<void> {
    await this.ensure();
    await this.ring.start();
  }

  /** How long a key is published before it may sign. */
  get publicationLeadSeconds(): number {
    return this.auth.jwksMaxAgeSeconds + this.auth.accessTokenTtlSeconds;
  }

  /**
   * How long a retired key stays published: its last token, signed by an instance that had not yet
   * read the rotation, lives one access-token lifetime, and a verifier's clock may lag.
   */
  get retiredKeyLifetimeSeconds(): number {
    return this.auth.accessTokenTtlSeconds + KEY_SET_REFRESH_SECONDS + CLOCK_SKEW_SECONDS;
  }

  /**
   * A `current` and a `next` key of AUTH_SIGNING_ALGORITHM (with HS256, nothing). A first key signs
   * at once (no verifier can have cached a document without it); a `next` of another algorithm
   * than the setting is replaced (it never signed), so a change of setting signs from the rotation
   * after the new `next` has been published long enough.
   */
  async ensure(): Promise<void> {
    const algorithm = this.auth.signingAlgorithm;
    if (algorithm === 'HS256') return;
    await this.changeKeys(async (keys, transaction) => {
      if (!keys.some((k) => k.state === 'current')) await this.create(algorithm, 'current', transaction);
      const next = keys.find((k) => k.state === 'next');
      if (next?.algorithm === algorithm) return;
      if (next) await this.repository.delete(next.kid, transaction);
      await this.create(algorithm, 'next', transaction);
    });
  }

  /**
   * The `next` key signs from now, the `current` one is retired, and a new `next` is published.
   * Refused while the `next` key is younger than the publication lead, unless `force` (a leaked
   * key): verifiers that cached the document then meet an unknown `kid` and must fetch it again.
   */
  async rotate({ force = false } = {}): Promise<SigningKeySummary> {
    const promoted = await this.changeKeys((keys, transaction) => this.promoteNext(keys, force, transaction));
    return this.summaryOf(promoted);
  }

  /** The scheduled rotation: when the current key has signed for AUTH_SIGNING_KEY_ROTATION. */
  async rotateIfDue(): Promise<void> {
    if (this.auth.signingAlgorithm === 'HS256') return;
    await this.ensure();
    const current = (await this.repository.all()).find((k) => k.state === 'current');
    const signedSince = current?.activatedAt?.getTime() ?? Infinity;
    if (this.clock.now().getTime() - signedSince < this.auth.signingKeyRotationSeconds * 1000) return;
    try {
      const { kid } = await this.rotate();
      this.logger.log(`signing key rotated: ${kid} signs now`);
    } catch (error) {
      if (!(error instanceof NextKeyTooYoungError)) throw error;
      this.logger.warn(`signing key rotation is due but waits: ${error.message}`);
    }
  }

  /**
   * Takes a key out of use: the `current` one by a forced rotation, the `next` one by a new `next`
   * (it never signed). A retired key's tokens stay valid until they expire; to refuse them at
   * once, shorten AUTH_ACCESS_TOKEN_TTL or end the sessions.
   */
  async retire(kid: string): Promise<SigningKeySummary> {
    const retired = await this.changeKeys(async (keys, transaction) => {
      const key = keys.find((k) => k.kid === kid);
      if (!key) throw new UnknownKeyError(kid);
      if (key.state === 'retired') throw new KeyAlreadyRetiredError(kid);
      if (key.state === 'current') {
        await this.promoteNext(keys, true, transaction);
        return { ...key, state: 'retired' as const, retiredAt: this.clock.now() };
      }
      await this.repository.delete(kid, transaction);
      await this.audit.record(
        { type: 'signing-key.retired', subjectUserId: null, details: { kid } },
        transaction,
      );
      await this.create(key.algorithm, 'next', transaction);
      return { ...key, state: 'retired' as const, retiredAt: this.clock.now() };
    });
    return this.summaryOf(retired);
  }

  async list(): Promise<SigningKeySummary[]> {
    return (await this.repository.all()).map((key) => this.summaryOf(key));
  }

  private async promoteNext(keys: SigningKey[], force: boolean, transaction: Transaction) {
    const now = this.clock.now();
    const current = keys.find((k) => k.state === 'current');
    const next =
      keys.find((k) => k.state === 'next') ??
      (await this.create(this.signingAlgorithm(), 'next', transaction));
    const eligibleAt = new Date(next.createdAt.getTime() + this.publicationLeadSeconds * 1000);
    if (!force && eligibleAt > now) throw new NextKeyTooYoungError(next.kid, eligibleAt);
    if (current) {
      await this.repository.update(current.kid, { state: 'retired', retiredAt: now }, transaction);
      await this.audit.record(
        { type: 'signing-key.retired', subjectUserId: null, details: { kid: current.kid } },
        transaction,
      );
    }
    // Retired first: the partial unique index allows one `current` at a time.
    await this.repository.update(next.kid, { state: 'current', activatedAt: now }, transaction);
    const details = {
      kid: next.kid,
      algorithm: next.algorithm,
      ...(current && { previousKid: current.kid }),
    };
    await this.audit.record({ type: 'signing-key.rotated', subjectUserId: null, details }, transaction);
    await this.create(this.signingAlgorithm(), 'next', transaction);
    return { ...next, state: 'current' as const, activatedAt: now };
  }

  /** The algorithm of new keys: the setting's, or EdDSA while HS256 signs (a rotation prepares a switch). */
  private signingAlgorithm(): AsymmetricAlgorithm {
    return this.auth.signingAlgorithm === 'HS256' ? 'EdDSA' : this.auth.signingAlgorithm;
  }

  private async create(algorithm: AsymmetricAlgorithm, state: 'current' | 'next', transaction: Transaction) {
    const material = generateKeyMaterial(algorithm);
    const now = this.clock.now();
    const key: SigningKey = {
      kid: material.kid,
      algorithm,
      state,
      publicJwk: material.publicJwk,
      privateKeySealed: this.box.seal(material.privateKeyPem, material.kid),
      createdAt: now,
      activatedAt: state === 'current' ? now : null,
      retiredAt: null,
    };
    await this.repository.insert(key, transaction);
    await this.audit.record(
      { type: 'signing-key.created', subjectUserId: null, details: { kid: key.kid, algorithm, state } },
      transaction,
    );
    return key;
  }

  /** A change of the key set under its lock; this instance reads the result at once. */
  private async changeKeys<T>(
    change: (keys: SigningKey[], transaction: Transaction) => Promise<T>,
  ): Promise<T> {
    const result = await this.transactions.run(async (transaction) => {
      await this.repository.lock(transaction);
      return change(await this.repository.all(transaction), transaction);
    });
    await this.ring.refresh();
    return result;
  }

  private summaryOf(key: SigningKey): SigningKeySummary {
    const { kid, algorithm, state, createdAt, activatedAt, retiredAt } = key;
    const after = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000);
    const until =
      state === 'next'
        ? after(createdAt, this.publicationLeadSeconds)
        : state === 'retired' && retiredAt
          ? after(retiredAt, this.retiredKeyLifetimeSeconds)
          : null;
    return { kid, algorithm, state, createdAt, activatedAt, retiredAt, until };
  }
}
