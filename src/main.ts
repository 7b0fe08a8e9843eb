import 'reflect-metadata';
import { appConfig, type AppConfig } from './config/app.config.js';
import { InvalidConfigurationError } from './config/environment.js';
import { createApp, logListening } from './app.factory.js';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get<AppConfig>(appConfig.KEY);
  await app.listen({ port: config.port, host: config.host });
  logListening(config);
}

bootstrap().catch((error: unknown) => {
  // A bad configuration is the user's to fix: say what is wrong, without a stack trace.
  process.stderr.write(
    `${error instanceof InvalidConfigurationError ? error.message : ((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
