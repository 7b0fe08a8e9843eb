import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Gatehouse API')
    .setDescription(
      [
        'User accounts and authentication.',
        '',
        'Every error is [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details ' +
          '(`application/problem+json`) with a `requestId` that matches the `X-Request-Id` response header.',
      ].join('\n'),
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey}_${methodKey}`,
  });
}

/** Swagger UI at /docs, the document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Gatehouse API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
