import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { exitOnBootFailure } from './common/boot-failure.js';
import { Configuration } from './config/configuration.js';
import { WorkerModule } from './worker.module.js';

/**
 * `npm run worker`: works the job queues without serving HTTP, so that a deployment can scale
 * workers apart from the API (which then runs with JOBS_WORKERS_ENABLED=false). On SIGTERM it takes
 * no new jobs, lets the running ones finish, and exits 0.
 */
async function main(): Promise<void> {
  const configuration = Configuration.load(WorkerModule.namespaces);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(configuration), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT', 'SIGHUP'], { useProcessExit: true });
  new Logger('Worker').log('working the job queues');
}

main().catch(exitOnBootFailure);
