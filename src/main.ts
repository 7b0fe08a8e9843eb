import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { exitOnBootFailure } from './common/boot-failure.js';
import { API_PREFIX } from './common/http/api-prefix.js';
import { httpConfig, type HttpConfig } from './config/http.config.js';

/** The API: build it, listen, and let Nest's lifecycle run the graceful shutdown (health/draining.ts). */
async function bootstrap(): Promise<void> {
  const app = await createApp();
  // SIGHUP too: closing the terminal of `npm start` stops the app as Ctrl-C does. A second signal
  // during the shutdown is ignored; the process exits 0 when it is done.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT', 'SIGHUP'], { useProcessExit: true });
  const http = app.get<HttpConfig>(httpConfig.KEY);
  await app.listen({ port: http.port, host: http.host });
  const base = `http://${http.host === '0.0.0.0' ? 'localhost' : http.host}:${http.port}`;
  new Logger('Gatehouse').log(`API on ${base}/${API_PREFIX}, Swagger UI on ${base}/docs`);
}

bootstrap().catch(exitOnBootFailure);
