import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { RequestContext } from '../common/request-context.js';
import { clientRequestIdOf } from '../common/http/http-conventions.js';
import { traceIdField } from '../common/trace-id.js';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Probes and scrapers would drown everything else. */
const UNLOGGED = /^\/(health|metrics)\b/;

/**
 * One line per request — method, route template, status, duration, request id — written from
 * Fastify's own hooks, which this class registers when the process serves HTTP. nestjs-pino's HTTP
 * middleware (pino-http behind @fastify/middie, a child logger per request) did the same for about
 * 160 µs of CPU per request (bench/README.md).
 */
@Injectable()
export class RequestLog implements OnModuleInit {
  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly context: RequestContext,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onRequest', (request, _reply, done) => this.context.runRequest(request, done));
    fastify.addHook('onResponse', (request, reply, done) => {
      // Below LOG_LEVEL=info (or for a failure, error) nothing would be written: nothing is built.
      const level = reply.statusCode >= 500 ? 'error' : 'info';
      if (this.logger.isLevelEnabled(level) && !UNLOGGED.test(request.url)) {
        const clientRequestId = clientRequestIdOf(request);
        const line = {
          requestId: request.id,
          ...(clientRequestId && { clientRequestId }),
          ...traceIdField(),
          req: { method: request.method },
          res: { statusCode: reply.statusCode },
          route: request.routeOptions.url ?? 'unmatched',
          durationMs: Math.round(reply.elapsedTime),
        };
        if (level === 'error') this.logger.error(line, 'request failed');
        else this.logger.info(line, 'request completed');
      }
      done();
    });
  }
}
