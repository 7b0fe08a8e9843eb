import { InvalidConfigurationError } from '../config/environment.js';

/**
 * How an entry point that could not start ends: a bad configuration is the user's to fix, so it is
 * said without a stack trace; anything else with one. Exit code 1.
 */
export function exitOnBootFailure(error: unknown): never {
  process.stderr.write(
    `${error instanceof InvalidConfigurationError ? error.message : ((error as Error)?.stack ?? String(error))}\n`,
  );
  process.exit(1);
}
