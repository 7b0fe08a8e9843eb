import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { appConfig, type AppConfig } from './config/app.config.js';
import { InvalidConfigurationError } from './config/environment.js';
import { createApp, logListening } from './app.factory.js';
import { Draining } from './health/draining.js';

/** The longest a shutdown may take before the process gives up on in-flight work. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * Boots the API and serves until SIGTERM or SIGINT. `main.ts` calls it, and so does the production
 * bundle's launcher (`dist/main.mjs`, see scripts/bundle.mjs), which loads this module first with
 * V8's compile cache on: importing it starts nothing.
 */
export function start(): void {
  bootstrap().catch((error: unknown) => {
    // A bad configuration is the user's to fix: say what is wrong, without a stack trace.
    process.stderr.write(
      `${error instanceof InvalidConfigurationError ? error.message : ((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(1);
  });
}

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get<AppConfig>(appConfig.KEY);
  await app.listen({ port: config.port, host: config.host });
  logListening(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(app, config, signal));
  }
}

/**
 * In the order that loses nothing: readiness fails first (and answers close their connections);
 * after SHUTDOWN_GRACE_MS the server stops accepting and lets the requests in flight finish; then
 * the pool (and the embedded database) close, and the process exits 0. Nest's own shutdown hooks
 * would close the pool before the server.
 */
async function shutdown(app: NestFastifyApplication, config: AppConfig, signal: string): Promise<void> {
  const logger = new Logger('Shutdown');
  logger.log(`${signal}: draining`);
  setTimeout(() => {
    logger.error(`still busy after ${SHUTDOWN_TIMEOUT_MS} ms: exiting anyway`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  app.get(Draining).beforeApplicationShutdown();
  await new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs));
  await app.getHttpAdapter().getInstance().close();
  logger.log('requests in flight are done; closing the database');
  await app.close();
  logger.log('stopped');
  process.exit(0);
}
