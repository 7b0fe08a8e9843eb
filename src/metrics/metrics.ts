import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DatabasePool } from '../database/database-pool.js';
import { ReplicaReads } from '../database/replica-reads.js';

/**
 * Prometheus metrics with prom-client, in a registry of this app's own (not prom-client's global
 * one): request durations by method, route template and status (observed by a Fastify hook this
 * class registers itself, when the process serves HTTP); process and event-loop metrics; the
 * database pool, and the replica reads the primary served.
 */
@Injectable()
export class Metrics implements OnModuleInit {
  readonly registry = new Registry();
  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Read at every scrape from the pool behind TypeORM. */
  readonly poolConnections: Gauge<'state'>;
  /** Read at every scrape from ReplicaReads. */
  readonly replicaFallbacks: Counter;

  constructor(
    pool: DatabasePool,
    replicaReads: ReplicaReads,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.poolConnections = new Gauge({
      name: 'db_pool_connections',
      help: 'Connections of the PostgreSQL pool, by state (total, idle, or requests waiting for one).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const { total, idle, waiting } = pool.stats();
        this.set({ state: 'total' }, total);
        this.set({ state: 'idle' }, idle);
        this.set({ state: 'waiting' }, waiting);
      },
    });
    this.replicaFallbacks = new Counter({
      name: 'db_replica_fallbacks_total',
      help: 'Reads meant for a replica that the primary served because no replica could answer.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(replicaReads.fallbacks);
      },
    });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // A callback hook, not an async one: an async hook costs every answer a promise (bench/README.md).
    fastify?.addHook('onResponse', (request, reply, done) => {
      this.observeRequest(
        request.method,
        request.routeOptions.url,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  /** `route` is the template (`/api/v1/users/:id`), never the raw path, so that ids do not explode the series. */
  private observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route: route ?? 'unmatched', status: String(status) }, seconds);
  }
}
