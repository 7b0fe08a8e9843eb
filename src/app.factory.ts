import { BadRequestException, Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import { AppModule } from './app.module.js';
import { appConfig, type AppConfig } from './config/app.config.js';
import { jobsConfig, type JobsConfig } from './config/jobs.config.js';
import { loadEnvironment } from './config/load-environment.js';
import { sendProblem } from './common/errors/problem-details.filter.js';
import { unacceptableInput } from './common/http/body-shape.js';
import { securityHeaders } from './common/http/security-headers.js';
import { setupSwagger } from './common/swagger/openapi.js';
import { Draining } from './health/draining.js';
import { JobsService } from './jobs/jobs.service.js';
import { RequestLog } from './logging/request-log.js';
import { Metrics } from './metrics/metrics.js';

export const API_PREFIX = 'api/v1';
/** Operational endpoints stay unversioned (API.md). */
const UNVERSIONED = ['health/live', 'health/ready', 'metrics'];

/** The versioned prefix, set the same way for serving and for the OpenAPI export. */
export function setApiPrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: UNVERSIONED });
}

/** A client's request id is kept when it is short and plain; anything else is replaced. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Builds the app exactly as it serves: `server.ts`, the e2e tests and the OpenAPI export all call this,
 * so they share the prefix, the parsers, the pipes and the filters.
 */
export async function createApp(): Promise<NestFastifyApplication> {
  loadEnvironment();
  // Read before the DI container exists: the HTTP server's own options come from it.
  const config = appConfig();
  const adapter = new FastifyAdapter({
    // Any parameter Node's 16 KB request line allows reaches the route (and its 400), instead of the
    // router's own 414 in a body that is not problem+json.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
    // Whom to believe about the client address (request.ip, used by the rate limits).
    trustProxy: config.trustProxy,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // A malformed address (bad percent-encoding) is refused by Fastify before routing: still a problem.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(request, reply, new BadRequestException(`The address is not valid: ${error.message}`)),
    // A request must arrive whole within REQUEST_TIMEOUT_MS (408 otherwise), so that a client
    // trickling its body cannot hold a connection; Node checks every second instead of every 30.
    serverFactory: (handler: RequestListener) =>
      createServer({ requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: 1_000 }, handler),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    bodyParser: false,
    abortOnError: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  await configureHttp(app, config);
  setupSwagger(app);
  await app.init();
  await startJobWorkers(app);
  return app;
}

/** The API works the job queues itself unless a deployment runs `npm run worker` apart. */
async function startJobWorkers(app: NestFastifyApplication): Promise<void> {
  if (app.get<JobsConfig>(jobsConfig.KEY).workersEnabled) await app.get(JobsService).startWorkers();
  else new Logger('Jobs').log('no workers in this process (JOBS_WORKERS_ENABLED=false)');
}

async function configureHttp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  setApiPrefix(app);
  // Security headers and the request id on every answer; the CSP keeps Swagger UI working (its
  // styles are inline, its logo a data: URL).
  const headers = securityHeaders({
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
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.headers(headers).header('x-request-id', request.id);
    done();
  });
  app.enableCors({
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'location', 'retry-after', 'www-authenticate'],
    maxAge: 600,
  });
  // JSON only (any charset); every other body type is a 415. `__proto__` and `constructor` keys are
  // refused rather than silently dropped; so are deep nesting and text that is not text (NUL bytes,
  // unpaired surrogates), in the body and in the query, whatever the route's schema says.
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: config.bodyLimit },
    (request, body, done) =>
      parseJson(request, body as string, (error, value) => {
        if (error) return done(error);
        const problem = unacceptableInput(value);
        done(problem ? new BadRequestException(`The body ${problem}.`) : null, value);
      }),
  );
  fastify.addHook('preValidation', async (request) => {
    const problem = unacceptableInput(request.query) ?? unacceptableInput(request.params);
    if (problem) throw new BadRequestException(`The address ${problem}.`);
  });
  app.get(RequestLog).register(fastify);
  // While draining, every answer closes its connection, so that the server can stop once the
  // requests in flight are done instead of waiting for idle keep-alive connections to time out.
  const draining = app.get(Draining);
  fastify.addHook('onSend', async (_request, reply) => {
    if (draining.isDraining) void reply.header('connection', 'close');
  });
  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
}

export function logListening(config: AppConfig): void {
  const logger = new Logger('Gatehouse');
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  logger.log(`API on ${base}/${API_PREFIX}, Swagger UI on ${base}/docs`);
}
