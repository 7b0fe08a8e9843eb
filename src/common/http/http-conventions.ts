import { BadRequestException } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpConfig } from '../../config/http.config.js';
import { PROBLEM_CONTENT_TYPE, sendProblem } from '../errors/problem-details.filter.js';
import { API_PREFIX, UNVERSIONED_ROUTES } from './api-prefix.js';
import { AllowedMethods } from './allowed-methods.js';
import { unacceptableInput } from './body-shape.js';
import { answerNotModified } from './conditional-requests.js';
import { securityHeaders } from './security-headers.js';

/** A client's request id is logged beside ours when it is short and plain; anything else is dropped. */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The `X-Request-Id` a client sent, when it is short and plain: logged beside the server's own
 * (`clientRequestId`), never taken as it, so that no audit row or log line carries an id a client
 * chose as ours (docs/security-model.md, I11).
 */
export function clientRequestIdOf(request: Pick<IncomingMessage, 'headers'>): string | undefined {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : undefined;
}

/**
 * Helmet's headers for every answer, worked out once; the CSP keeps Swagger UI working (its styles
 * are inline, its logo a data: URL).
 */
const HEADERS = securityHeaders({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      scriptSrc: ["'self'"],
      // Swagger UI is also opened over plain http on localhost; upgrading its requests breaks it.
      upgradeInsecureRequests: null,
    },
  },
});

/**
 * What Node's HTTP parser refuses before Fastify sees a request (a duplicate Content-Length, headers
 * over 16 KB, a request line that is not one, a request that took too long to arrive) is answered
 * as every other error is: problem details, with the security headers and a request id.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: 'about:blank',
    title: STATUS_CODES[status],
    status,
    detail:
      status === 408
        ? 'The request did not arrive in time.'
        : status === 431
          ? 'The request headers are too large.'
          : 'The request is not valid HTTP.',
    requestId,
  });
  const headers = {
    ...HEADERS,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': requestId,
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`);
}

/** The HTTP server with the options Fastify only takes at construction. */
export function httpAdapter(http: HttpConfig): FastifyAdapter {
  return new FastifyAdapter({
    // Any parameter Node's 16 KB request line allows reaches the route (and its 400), instead of the
    // router's own 414 in a body that is not problem+json.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
    // Whom to believe about the client address (request.ip, used by the rate limits).
    trustProxy: http.trustProxy,
    // Always the server's own: a client's is logged beside it (clientRequestIdOf).
    genReqId: () => randomUUID(),
    // A malformed address (bad percent-encoding) is refused by Fastify before routing: still a problem.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(request, reply, new BadRequestException(`The address is not valid: ${error.message}`)),
    clientErrorHandler: answerClientError,
    // A request must arrive whole within REQUEST_TIMEOUT_MS (408 otherwise), so that a client
    // trickling its body cannot hold a connection; Node checks every second instead of every 30.
    serverFactory: (handler: RequestListener) =>
      createServer({ requestTimeout: http.requestTimeoutMs, connectionsCheckingInterval: 1_000 }, handler),
  });
}

/** The versioned prefix, set the same way for serving and for the OpenAPI export. */
export function setApiPrefix(app: NestFastifyApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: UNVERSIONED_ROUTES });
}

/**
 * What every route of this API shares (API.md's conventions): the prefix, the security headers and
 * the request id on every answer, CORS for CORS_ORIGINS only, JSON bodies only, inputs that are
 * text, and a 405 with `Allow` for a method a path does not take. Modules register their own hooks (request log, metrics, draining) themselves.
 */
export function applyHttpConventions(app: NestFastifyApplication, http: HttpConfig): void {
  setApiPrefix(app);
  const fastify = app.getHttpAdapter().getInstance();
  const versioned = `/${API_PREFIX}/`;
  const methods = new AllowedMethods(fastify);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.headers(HEADERS).header('x-request-id', request.id);
    // Tokens (RFC 6749 §5.1) and personal data: no cache, shared or private, keeps an answer.
    if (request.url.startsWith(versioned)) void reply.header('cache-control', 'no-store');
    // A matched request (all but a handful) pays one property read here.
    if (request.routeOptions.url === undefined && methods.refused(request, reply)) return;
    done();
  });
  app.enableCors({
    origin: http.corsOrigins,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'x-request-id',
      'if-match',
      'if-none-match',
      'idempotency-key',
    ],
    exposedHeaders: [
      'x-request-id',
      'location',
      'retry-after',
      'www-authenticate',
      'etag',
      'link',
      'idempotent-replayed',
    ],
    maxAge: 600,
  });
  // JSON only (any charset); every other body type is a 415. `__proto__` and `constructor` keys are
  // refused rather than silently dropped; so are deep nesting and text that is not text (NUL bytes,
  // unpaired surrogates), in the body and in the query, whatever the route's schema says.
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: http.bodyLimit },
    (request, body, done) =>
      parseJson(request, body as string, (error, value) => {
        if (error) return done(error);
        const problem = unacceptableInput(value);
        done(problem ? new BadRequestException(`The body ${problem}.`) : null, value);
      }),
  );
  answerNotModified(fastify);
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problem = unacceptableInput(request.query) ?? unacceptableInput(request.params);
    done(problem ? new BadRequestException(`The address ${problem}.`) : undefined);
  });
}
