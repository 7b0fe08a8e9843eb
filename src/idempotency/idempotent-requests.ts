import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ServerKeys } from '../common/server-keys.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Clock } from '../common/clock.js';
import { RequestValidationError } from '../common/errors/domain-error.js';
import { clientOf } from '../common/http/client-info.js';
import { httpConfig, type HttpConfig } from '../config/http.config.js';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from './entities/idempotent-request.entity.js';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './idempotency.errors.js';
import { IdempotentRequestsRepository, type KeyedRequest } from './idempotent-requests.repository.js';

/** A request in progress owns its key through its claim until its answer is sent. */
interface Claim extends KeyedRequest {
  claim: string;
  /** The reply's headers before the operation ran: what it adds is what a replay repeats. */
  before: Record<string, unknown>;
}

/** A request in progress whose process died releases its key after this long. */
const ABANDONED_AFTER_MS = 60_000;
/** Visible ASCII, optionally as a structured-field string (`"…"`), as the IETF draft has it. */
const KEY = new RegExp(`^"?([!-~]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}?)"?$`);
/** Headers of the transport or of this one answer, never replayed. */
const NOT_REPLAYED = new Set(['content-length', 'connection', 'transfer-encoding', 'date']);

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): the same key and body within
 * IDEMPOTENCY_KEY_TTL replay the first success. Only successes are stored: an error changed nothing
 * (every failed request leaves the database as it was), so its key is released and a retry runs.
 * The answer is stored before it is sent, so a client that has it can rely on a replay.
 */
@Injectable()
export class IdempotentRequests implements OnModuleInit {
  private readonly logger = new Logger('Idempotency');
  private readonly claims = new WeakMap<FastifyRequest, Claim>();

  private readonly keys: ServerKeys;

  constructor(
    private readonly repository: IdempotentRequestsRepository,
    private readonly clock: Clock,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(httpConfig.KEY) private readonly http: HttpConfig,
    @Inject(authConfig.KEY) auth: AuthConfig,
  ) {
    this.keys = new ServerKeys(auth.jwtSecret);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // A callback hook, not an async one: the answers without a claim (nearly all) go on at once.
    fastify?.addHook('onSend', (request, reply, payload, done) => {
      const claim = this.claims.get(request);
      if (!claim) return done(null, payload);
      this.claims.delete(request);
      void this.settle(claim, reply, payload).then(() => done(null, payload));
    });
  }

  /**
   * Claims the request's key, or answers from the stored first answer (undefined: go on with the
   * work). Without a key there is nothing to do.
   */
  async begin(request: FastifyRequest, reply: FastifyReply): Promise<{ body: string } | undefined> {
    const keyed = this.keyOf(request);
    if (!keyed) return undefined;
    const now = this.clock.now();
    const times = {
      now,
      expiresAt: new Date(now.getTime() + this.http.idempotencyKeyTtlSeconds * 1000),
      abandonedBefore: new Date(now.getTime() - ABANDONED_AFTER_MS),
    };
    // A key released between our claim and our read is claimed again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claim = randomUUID();
      if (await this.repository.claim(keyed, claim, times)) {
        this.claims.set(request, { ...keyed, claim, before: { ...reply.getHeaders() } });
        return undefined;
      }
      const first = await this.repository.find(keyed.scope, keyed.key);
      if (!first) continue;
      if (!first.fingerprint.equals(keyed.fingerprint)) throw new IdempotencyKeyReusedError();
      if (first.status === null) throw new IdempotencyKeyInUseError();
      void reply.headers({ ...first.headers, 'idempotent-replayed': 'true' });
      return { body: first.body ?? '' };
    }
    throw new IdempotencyKeyInUseError();
  }

  /** The key, whose it is, and what the request is; undefined without the header. */
  private keyOf(request: FastifyRequest): KeyedRequest | undefined {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return undefined;
    const key = typeof header === 'string' ? KEY.exec(header)?.[1] : undefined;
    if (!key)
      throw new RequestValidationError([
        {
          parameter: 'Idempotency-Key',
          detail: `must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, sent once`,
        },
      ]);
    // `principal`: the caller, as the access guard left it (declared in access/principal.ts).
    const principal = request.principal;
    const scope = principal
      ? `user:${principal.userId}`
      : `address:${clientOf(request).ipAddress ?? 'unknown'}`;
    const path = request.url.split('?')[0];
    // Keyed: a body can hold a password, which a plain hash would let anyone who reads the table
    // guess offline (docs/security-model.md, I4).
    const fingerprint = this.keys.hmac(
      'gatehouse idempotency fingerprint',
      `${request.method} ${path}\n${JSON.stringify(request.body ?? null)}`,
    );
    return { scope, key, fingerprint };
  }

  /** Stores a success for replay, or releases the key of a failure; a store that fails is logged. */
  private async settle(claim: Claim, reply: FastifyReply, payload: unknown): Promise<void> {
    const { scope, key } = claim;
    try {
      if (reply.statusCode >= 300) return await this.repository.release(scope, key, claim.claim);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (!NOT_REPLAYED.has(name) && value !== undefined && claim.before[name] !== value)
          headers[name] = String(value);
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : '';
      await this.repository.complete(scope, key, claim.claim, { status: reply.statusCode, headers, body });
    } catch (error) {
      // The work is done and its answer goes out; the key frees itself after ABANDONED_AFTER_MS.
      this.logger.warn({ err: error }, `could not settle an Idempotency-Key (${reply.statusCode})`);
    }
  }
}
