import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { applyHttpConventions, httpAdapter } from './common/http/http-conventions.js';
import { setupSwagger } from './common/swagger/openapi.js';
import { Configuration } from './config/configuration.js';
import { httpConfig } from './config/http.config.js';

/**
 * Builds the API exactly as it serves: `main.ts`, the e2e tests and the bench all call this, so
 * they share the modules, the HTTP conventions and the document. It composes; each module wires its
 * own behaviour (hooks, lifecycle) itself.
 */
export async function createApp(
  configuration = Configuration.load(AppModule.namespaces),
): Promise<NestFastifyApplication> {
  const http = configuration.get(httpConfig);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(configuration),
    httpAdapter(http),
    {
      bodyParser: false,
      abortOnError: false,
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(PinoLogger));
  applyHttpConventions(app, http);
  setupSwagger(app, configuration, AppModule.openApiModels);
  await app.init();
  return app;
}
