import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AsyncLocalStorage } from 'node:async_hooks';
import { clientOf } from './http/client-info.js';

/**
 * Where the work being done came from, as the audit log records it: the request (its id, the
 * client, the signed-in caller) or, for a job, the request that queued it; `via` says which.
 */
export interface Origin {
  /** An HTTP request, a command of `npm run cli`, or the service itself (a scheduled job). */
  via: 'http' | 'cli' | 'system';
  requestId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  /** The signed-in caller, when there was one. */
  actorUserId: string | null;
  sessionId: string | null;
  /** The API key the caller used instead of a session, when they did. */
  apiKeyId?: string | null;
}

/** What the HTTP hooks hand over: the request, read only when someone asks for its origin. */
type HttpRequestLike = Pick<FastifyRequest, 'id' | 'ip' | 'headers' | 'principal'>;

type Scope = { request: HttpRequestLike } | { origin: Origin };

const SYSTEM: Origin = {
  via: 'system',
  requestId: null,
  ipAddress: null,
  userAgent: null,
  actorUserId: null,
  sessionId: null,
};

/**
 * The request being served, wherever the code that needs it runs (AsyncLocalStorage): every log
 * line carries its `requestId` (the X-Request-Id header) through pino's mixin, and an audit event
 * its origin. A job runs in the origin of the request that queued it (JobsService).
 */
@Injectable()
export class RequestContext {
  private readonly storage = new AsyncLocalStorage<Scope>();

  /** Runs `work`, and everything it starts, as part of this HTTP request. */
  runRequest<T>(request: HttpRequestLike, work: () => T): T {
    return this.storage.run({ request }, work);
  }

  /** Runs `work` on behalf of an origin recorded earlier (a job's), or of the command line (`cliOrigin`). */
  runAs<T>(origin: Origin, work: () => T): T {
    return this.storage.run({ origin }, work);
  }

  /** What each log line gets: the request id, outside a request nothing. */
  bindings(): { requestId?: string } {
    const scope = this.storage.getStore();
    const requestId = scope && ('request' in scope ? scope.request.id : scope.origin.requestId);
    return requestId ? { requestId } : {};
  }

  /** Where the current work came from; outside any request, job or command, the service itself. */
  origin(): Origin {
    const scope = this.storage.getStore();
    if (!scope) return SYSTEM;
    if ('origin' in scope) return scope.origin;
    const { request } = scope;
    const { principal } = request;
    return {
      via: 'http',
      requestId: request.id,
      ...clientOf(request),
      actorUserId: principal?.userId ?? null,
      sessionId: principal?.via === 'session' ? principal.sessionId : null,
      apiKeyId: principal?.via === 'api-key' ? principal.apiKeyId : null,
    };
  }
}

/** The origin of a command of `npm run cli`: an operator, with no address or account. */
export const cliOrigin = (): Origin => ({ ...SYSTEM, via: 'cli' });
