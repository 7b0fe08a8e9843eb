import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpConfig, type HttpConfig } from '../config/http.config.js';

/** The longest a shutdown may take before the process gives up on in-flight work. */
const SHUTDOWN_DEADLINE_MS = 25_000;

/**
 * The first steps of a graceful shutdown, in Nest's lifecycle (main.ts enables it for SIGTERM,
 * SIGINT and SIGHUP): at the first moment (`onModuleDestroy`, before any other shutdown hook)
 * readiness turns 503 and every answer closes its connection, so that a load balancer stops sending
 * requests; `beforeApplicationShutdown` then waits SHUTDOWN_GRACE_MS before Nest closes the server,
 * which lets the requests in flight finish before any pool closes. A shutdown still busy after 25 s
 * ends the process with code 1.
 */
@Injectable()
export class Draining
  implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Shutdown');
  private draining = false;
  private deadline?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(httpConfig.KEY) private readonly http: HttpConfig,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // A callback hook, not an async one: an async hook costs every answer a promise (bench/README.md).
    fastify?.addHook('onSend', (_request, reply, payload, done) => {
      if (this.draining) void reply.header('connection', 'close');
      done(null, payload);
    });
  }

  onModuleDestroy(): void {
    this.draining = true;
    this.logger.log('draining: readiness fails, new requests close their connections');
    this.deadline = setTimeout(() => {
      this.logger.error(`still busy after ${SHUTDOWN_DEADLINE_MS} ms: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await sleep(this.http.shutdownGraceMs);
    this.logger.log('the server stops accepting; requests in flight finish');
  }

  /** The server has closed: what is left (pools, connections) closes quickly or not at all. */
  onApplicationShutdown(): void {
    clearTimeout(this.deadline);
  }
}
