import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { RequestLog, ROOT_LOGGER } from './request-log.js';
import { RootLoggerModule } from './root-logger.module.js';

/**
 * Structured logs with pino. Nest's own logger goes through it (nestjs-pino's Logger, with
 * `bufferLogs` + `useLogger`); the request lines come from `RequestLog`'s Fastify hooks, so
 * nestjs-pino's HTTP middleware is applied to no route.
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger) => ({ pinoHttp: { logger }, forRoutes: [] }),
    }),
  ],
  providers: [RequestLog],
})
export class LoggingModule {}
