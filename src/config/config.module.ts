import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig } from './app.config.js';
import { authConfig } from './auth.config.js';
import { databaseConfig } from './database.config.js';
import { checkEnvironment, type Environment } from './environment.js';
import { ENVIRONMENT_CLASSES } from './load-environment.js';
import { jobsConfig } from './jobs.config.js';
import { mailConfig } from './mail.config.js';
import { redisConfig } from './redis.config.js';

/**
 * Typed configuration, one namespace per concern, all checked together before anything starts.
 * Inject a slice with `@Inject(appConfig.KEY) app: AppConfig`. `.env` is read by `loadEnvironment()`.
 */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      ignoreEnvFile: true,
      load: [appConfig, databaseConfig, authConfig, redisConfig, mailConfig, jobsConfig],
      validate: (env: Environment) => {
        checkEnvironment(ENVIRONMENT_CLASSES, env);
        return env;
      },
    }),
  ],
})
export class AppConfigModule {}
