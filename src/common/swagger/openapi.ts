import type { INestApplication, Type } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { NotFoundException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { appConfig } from '../../config/app.config.js';
import { packageInfo } from '../package-info.js';
import { authConfig } from '../../config/auth.config.js';
import { httpConfig } from '../../config/http.config.js';
import { rateLimitConfig } from '../../config/rate-limit.config.js';
import { sendProblem } from '../errors/problem-details.filter.js';
import type { Configuration } from '../../config/configuration.js';
import { problemResponse, RETRY_AFTER } from './api-problems.decorator.js';
import { API_TAGS } from './api-tags.js';
import { withExamples } from './openapi-examples.js';
import { documentedSettings, setting, withSettings } from './documented-settings.js';

const DESCRIPTION = `User accounts and authentication.

Sign up with \`POST /api/v1/users\`, sign in with \`POST /api/v1/auth/login\`, then press **Authorize**
and paste the \`accessToken\`. Access tokens last ${setting('accessTokenTtl')}; exchange the \`refreshToken\` at
\`POST /api/v1/auth/refresh\` for a new pair (each refresh token works once).

Every error is [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details
(\`application/problem+json\`) with a \`requestId\` that matches the \`X-Request-Id\` response header.
Every operation is rate limited per client address: the \`X-RateLimit-*\` headers say how much is
left, and a 429 says when to retry (\`Retry-After\`).`;

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Response = Extract<Operation['responses'][string], { description: string }>;

const COUNT = { type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 };
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window.', schema: COUNT },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window.', schema: COUNT },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets.', schema: COUNT },
};
const NO_STORE = {
  'Cache-Control': {
    description: 'Always `no-store`: answers carry tokens or personal data.',
    schema: { type: 'string', enum: ['no-store'] },
  },
};
const CORS_HEADER = {
  'Access-Control-Allow-Origin': {
    description: 'Present when the request came from an origin listed in CORS_ORIGINS.',
    schema: { type: 'string', format: 'uri', maxLength: 200 },
  },
};

/**
 * The document of this deployment: its configured limits and lifetimes in the descriptions.
 * `extraModels` are the schemas no decorator names (the root module's `openApiModels`): required,
 * so that no caller makes a document without them by forgetting.
 */
export function buildOpenApiDocument(
  app: INestApplication,
  configuration: Configuration,
  extraModels: Type[],
): OpenAPIObject {
  const about = packageInfo();
  const builder = new DocumentBuilder()
    .setTitle('Gatehouse API')
    .setDescription(DESCRIPTION)
    .setVersion(about.version);
  for (const tag of API_TAGS) builder.addTag(tag.name, tag.description);
  const config = builder
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'An `accessToken` from `POST /api/v1/auth/login` or `/auth/refresh`: a JWS conforming to RFC8725 and RFC 9068 (`typ: at+jwt`), ' +
          'signed with a key of `/.well-known/jwks.json` (AUTH_SIGNING_ALGORITHM), whose session Gatehouse ' +
          `checks on every request; valid ${setting('accessTokenTtl')}.`,
      },
      'bearer',
    )
    .addSecurity('apiKey', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'gat_',
      description:
        'An API key (`gat_` and 36 characters, from `POST /api/v1/auth/api-keys`) sent as a Bearer token: ' +
        'it acts as its owner, with the role they have now, on the operations that name one of its scopes ' +
        '(`x-api-key-scope`); every other operation answers it 403 `insufficient-scope`.',
    })
    .addSecurity('metrics', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
      description: 'METRICS_TOKEN, when the deployment sets one: an opaque token, not a JWT.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels,
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey}_${methodKey}`,
  });
  // From package.json, as a fork names itself there: who to ask, and on what terms.
  document.info.license = { name: about.license };
  if (about.author) document.info.contact = about.author;
  // One server, wherever the API is deployed (local, staging or production), for its public clients.
  document.servers = [
    {
      url: '/',
      description: 'This deployment: local, staging or production alike',
      'x-internal': false,
    } as never,
  ];
  return withSettings(
    withExamples(withCommonResponses(document)),
    documentedSettings(
      configuration.get(authConfig),
      configuration.get(httpConfig),
      configuration.get(rateLimitConfig),
    ),
  );
}

/**
 * What every operation may answer, whatever its decorators say: a 400 for a query parameter it does
 * not take (QueryParametersGuard), a 500, and on the API (not the health and metrics
 * endpoints, which probes must always reach) a 429 with the rate-limit headers and a 503 while the
 * database cannot be reached.
 */
function withCommonResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const limited = path.startsWith('/api/');
    for (const operation of Object.values(item) as Operation[]) {
      if (!operation?.responses) continue;
      operation.responses['400'] ??= problemResponse(400);
      if (limited) operation.responses['429'] ??= problemResponse(429);
      if (limited) operation.responses['503'] ??= problemResponse(503);
      operation.responses['500'] ??= problemResponse(500);
      if (takesIdempotencyKey(operation)) documentIdempotency(operation);
      if (operation.security?.some((scheme) => 'bearer' in scheme)) documentApiKeyRefusal(operation);
      for (const [status, response] of Object.entries(operation.responses) as [string, Response][]) {
        const limits = limited && /^[24]/.test(status) ? RATE_LIMIT_HEADERS : {};
        response.headers = { ...CORS_HEADER, ...(limited ? NO_STORE : {}), ...limits, ...response.headers };
      }
    }
  }
  return document;
}

const takesIdempotencyKey = (operation: Operation) =>
  operation.parameters?.some((parameter) => 'name' in parameter && parameter.name === 'Idempotency-Key');

const IN_USE =
  'A request with this `Idempotency-Key` is still running (`/problems/idempotency-key-in-use`): retry after `Retry-After` seconds.';

/** The answers `@Idempotent()` adds: a replay's header, the 422 of a reused key, the 409 of a busy one. */
function documentIdempotency(operation: Operation): void {
  for (const [status, response] of Object.entries(operation.responses) as [string, Response][])
    if (status.startsWith('2'))
      response.headers = {
        ...response.headers,
        'Idempotent-Replayed': {
          description:
            '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.',
          schema: { type: 'string', enum: ['true'] },
        },
      };
  operation.responses['422'] = problemResponse(422, {
    type: 'idempotency-key-reused',
    description:
      'This `Idempotency-Key` came with another request before, another body or path (`/problems/idempotency-key-reused`): use a new key.',
  });
  const busy = withProblem(operation, 409, { type: 'idempotency-key-in-use', description: IN_USE });
  busy.headers = {
    'Retry-After': { description: 'Seconds to wait.', schema: { ...RETRY_AFTER, example: 1 } },
  };
}

/**
 * The 403 any signed-in route gives an API key it does not take (the guard's, so no decorator
 * says it): merged into the route's own 403 when it has one, as OpenAPI has one answer per status.
 */
function documentApiKeyRefusal(operation: Operation): void {
  const scope = (operation as Operation & { 'x-api-key-scope'?: string })['x-api-key-scope'];
  const refusal = scope
    ? `An API key without the scope \`${scope}\` (\`/problems/insufficient-scope\`).`
    : 'An API key: this operation is for people signed in, never keys (`/problems/insufficient-scope`).';
  withProblem(operation, 403, { type: 'insufficient-scope', description: refusal });
}

/**
 * Adds a meaning to the operation's answer of `status`: merged into the answer it has (its
 * description and examples kept, "Or:" the new one), as OpenAPI has one answer per status.
 */
function withProblem(
  operation: Operation,
  status: number,
  meaning: { type: string; description: string },
): Response {
  const own = operation.responses[String(status)] as Response | undefined;
  const added = problemResponse(status, meaning);
  const media = added.content['application/problem+json'];
  const merged: Response = {
    ...added,
    ...own,
    description: own ? `${own.description} Or: ${meaning.description}` : meaning.description,
    content: {
      'application/problem+json': {
        ...media,
        examples: { ...own?.content?.['application/problem+json']?.examples, ...media.examples },
      },
    },
  };
  operation.responses[String(status)] = merged;
  return merged;
}

/** What Swagger UI's page loads from /docs/; everything else swagger-ui-dist holds is a 404. */
const UI_FILES = new Set([
  '/',
  '/swagger-ui.css',
  '/swagger-ui-bundle.js',
  '/swagger-ui-standalone-preset.js',
  '/swagger-ui-init.js',
  '/favicon-32x32.png',
  '/favicon-16x16.png',
]);

/**
 * Swagger UI at /docs, the document at /docs-json, unless DOCS_ENABLED=false. Only the files the UI
 * needs are served (swagger-ui-dist's package.json and source maps are not), and in production a
 * token pasted into Authorize is not kept in the browser's localStorage.
 */
export function setupSwagger(
  app: NestFastifyApplication,
  configuration: Configuration,
  extraModels: Type[],
): void {
  if (!configuration.get(httpConfig).docsEnabled) return;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      // Every request passes here: the API's go on before anything is split.
      if (!request.url.startsWith('/docs/')) return done();
      const path = request.url.split('?')[0];
      if (!UI_FILES.has(path.slice('/docs'.length)))
        return sendProblem(request, reply, new NotFoundException());
      done();
    });
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, configuration, extraModels), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Gatehouse API',
    swaggerOptions: {
      persistAuthorization: !configuration.get(appConfig).isProduction,
      displayRequestDuration: true,
    },
  });
}
