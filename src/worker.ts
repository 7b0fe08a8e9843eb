import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { databaseConfig } from './config/database.config.js';
import { InvalidConfigurationError } from './config/environment.js';
import { loadEnvironment } from './config/load-environment.js';
import { JobsService } from './jobs/jobs.service.js';

/**
 * `npm run worker`: works the job queues without serving HTTP, so that a deployment can scale
 * workers apart from the API (which then runs with JOBS_WORKERS_ENABLED=false). On SIGTERM it takes
 * no new jobs, lets the running ones finish, and exits 0.
 */
async function main(): Promise<void> {
  loadEnvironment();
  if (!databaseConfig().url) {
    throw new InvalidConfigurationError([
      'DATABASE_URL: is required by `npm run worker` (the embedded database belongs to `npm start`, which runs the workers itself)',
    ]);
  }
  const app = await NestFactory.createApplicationContext(AppModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoLogger));
  await app.get(JobsService).startWorkers();
  const logger = new Logger('Worker');
  logger.log(`working the queues: ${app.get(JobsService).queues().join(', ')}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: finishing the running jobs`);
      void app.close().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof InvalidConfigurationError ? error.message : ((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
