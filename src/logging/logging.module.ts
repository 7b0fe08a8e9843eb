import { Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { appConfig, type AppConfig } from '../config/app.config.js';

/** Whatever the source, these never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.passwordHash',
  '*.password_hash',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
];

/** What the request log line says about the request: no headers, no query string, no body. */
type LoggedRequest = IncomingMessage & { id?: string; route?: string };

/**
 * Structured logs with nestjs-pino: JSON lines in production, pretty ones in development; one line
 * per request with method, route template, status, duration and request id (the same id as the
 * X-Request-Id header); Nest's own logger goes through it too (`bufferLogs` + `useLogger`).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: AppConfig) => ({
        pinoHttp: {
          level: app.logLevel,
          transport:
            app.environment === 'development'
              ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
              : undefined,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          quietReqLogger: true,
          customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
          serializers: {
            req: (req: LoggedRequest) => ({ method: req.method }),
            res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
          },
          // The route template is known once routing is done, so it is added when the line is written.
          customSuccessObject: (req: LoggedRequest, _res: ServerResponse, line: Record<string, unknown>) => ({
            ...line,
            route: req.route ?? 'unmatched',
          }),
          customErrorObject: (
            req: LoggedRequest,
            _res: ServerResponse,
            _error: Error,
            line: Record<string, unknown>,
          ) => ({
            ...line,
            route: req.route ?? 'unmatched',
          }),
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
            error || res.statusCode >= 500 ? 'error' : 'info',
          // Probes and scrapers would drown everything else.
          autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)\b/.test(req.url ?? '') },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
