import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppEnvironment } from './app.config.js';
import { AuthEnvironment } from './auth.config.js';
import { DatabaseEnvironment } from './database.config.js';
import { checkEnvironment, type Environment } from './environment.js';
import { JobsEnvironment } from './jobs.config.js';
import { MailEnvironment } from './mail.config.js';
import { RedisEnvironment } from './redis.config.js';

export const ENVIRONMENT_CLASSES = [
  AppEnvironment,
  DatabaseEnvironment,
  AuthEnvironment,
  RedisEnvironment,
  MailEnvironment,
  JobsEnvironment,
];

/**
 * Reads `.env` from the working directory into the environment (variables already set win), then
 * checks every namespace and throws one `InvalidConfigurationError` naming every bad variable.
 * The app, the CLI and `ormconfig.ts` all start here.
 */
export function loadEnvironment(envFile = resolve('.env')): Environment {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  checkEnvironment(ENVIRONMENT_CLASSES, process.env);
  return process.env;
}
