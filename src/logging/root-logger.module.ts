import { Module } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { RequestContext } from '../common/request-context.js';
import { ROOT_LOGGER } from './request-log.js';

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

/**
 * The one pino logger: JSON lines, with the request id on each. In development, pretty lines when
 * pino-pretty is installed (a devDependency: not in the production image).
 */
function rootLogger(app: AppConfig, context: RequestContext): Logger {
  const pretty = app.environment === 'development' && installed('pino-pretty');
  return pino({
    level: app.logLevel,
    transport: pretty
      ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
      : undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => context.bindings(),
  });
}

function installed(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

@Module({
  providers: [{ provide: ROOT_LOGGER, inject: [appConfig.KEY, RequestContext], useFactory: rootLogger }],
  exports: [ROOT_LOGGER],
})
export class RootLoggerModule {}
