import { getConfigToken } from '@nestjs/config';
import type { EnvironmentClass } from './environment.js';

/**
 * One concern's configuration: the variables it reads (a class with class-validator rules) and the
 * typed object it makes of them. Inject it with `@Inject(databaseConfig.KEY) config: DatabaseConfig`.
 * An entry point lists the namespaces it uses (see `Configuration.load`), so each validates only those.
 */
export interface ConfigNamespace<Env extends object = object, Config = unknown> {
  readonly name: string;
  /** The injection token, the one `registerAs(name, …)` of @nestjs/config would make. */
  readonly KEY: string;
  readonly environment: EnvironmentClass<Env>;
  build(env: Env): Config;
}

export function defineConfig<Env extends object, Config>(
  name: string,
  environment: EnvironmentClass<Env>,
  build: (env: Env) => Config,
): ConfigNamespace<Env, Config> {
  return { name, KEY: getConfigToken(name), environment, build };
}

export type ConfigOf<N extends ConfigNamespace> = ReturnType<N['build']>;
