import type { Provider } from '@nestjs/common';
import type { ConfigNamespace, ConfigOf } from './config-namespace.js';
import { environment, InvalidConfigurationError, parseEnvironment, type Environment } from './environment.js';

/**
 * The configuration of one entry point (the API, the worker, the CLI, the migrations): the
 * namespaces it uses, read and validated once, at boot, together, so that a bad environment stops it
 * with one message naming every bad variable, and a variable it does not use cannot stop it.
 */
export class Configuration {
  private constructor(private readonly values: Map<ConfigNamespace, unknown>) {}

  static load(namespaces: readonly ConfigNamespace[], env: Environment = environment()): Configuration {
    const values = new Map<ConfigNamespace, unknown>();
    const problems = new Set<string>();
    for (const namespace of namespaces) {
      const parsed = parseEnvironment(namespace.environment, env);
      for (const problem of parsed.problems) problems.add(problem);
      if (parsed.problems.length === 0) values.set(namespace, namespace.build(parsed.instance));
    }
    if (problems.size > 0) throw new InvalidConfigurationError([...problems]);
    return new Configuration(values);
  }

  get<N extends ConfigNamespace>(namespace: N): ConfigOf<N> {
    if (!this.values.has(namespace))
      throw new Error(`the configuration of this entry point has no '${namespace.name}' namespace`);
    return this.values.get(namespace) as ConfigOf<N>;
  }

  /** One provider per namespace, under its `KEY`. */
  providers(): Provider[] {
    return [...this.values].map(([namespace, value]) => ({ provide: namespace.KEY, useValue: value }));
  }
}
