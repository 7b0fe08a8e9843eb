import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { MODULE_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants.js';
import { AppModule } from './app.module.js';
import { CliModule } from './cli/cli.module.js';
import type { ConfigNamespace } from './config/config-namespace.js';
import { Configuration } from './config/configuration.js';
import { WorkerModule } from './worker.module.js';

type ModuleRef = Type | DynamicModule | Promise<DynamicModule> | { forwardRef: () => Type };
interface EntryPoint {
  namespaces: readonly ConfigNamespace[];
  forRoot(configuration: Configuration): DynamicModule;
}

const CONFIG_TOKEN = /^CONFIGURATION\((\w+)\)$/;

/** Every configuration namespace a provider, controller or factory in the module tree injects. */
function injectedNamespaces(root: DynamicModule): Set<string> {
  const seen = new Set<unknown>();
  const names = new Set<string>();
  const note = (token: unknown) => {
    const name = typeof token === 'string' ? CONFIG_TOKEN.exec(token)?.[1] : undefined;
    if (name) names.add(name);
  };
  const visitClass = (type: unknown) => {
    if (typeof type !== 'function') return;
    const declared = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) ?? []) as { param: unknown }[];
    declared.forEach(({ param }) => note(param));
  };
  const visitProvider = (provider: Provider) => {
    if (typeof provider === 'function') return visitClass(provider);
    if ('useClass' in provider) visitClass(provider.useClass);
    if ('useFactory' in provider) (provider.inject ?? []).forEach(note);
  };
  const visit = (ref: ModuleRef) => {
    if (!ref || seen.has(ref) || ref instanceof Promise) return;
    seen.add(ref);
    if ('forwardRef' in ref) return visit(ref.forwardRef());
    const type = 'module' in ref ? ref.module : ref;
    const dynamic: Partial<DynamicModule> = 'module' in ref ? ref : {};
    const metadata = (key: string) => (Reflect.getMetadata(key, type) ?? []) as unknown[];
    [...metadata(MODULE_METADATA.PROVIDERS), ...(dynamic.providers ?? [])].forEach((p) =>
      visitProvider(p as Provider),
    );
    [...metadata(MODULE_METADATA.CONTROLLERS), ...(dynamic.controllers ?? [])].forEach(visitClass);
    [...metadata(MODULE_METADATA.IMPORTS), ...(dynamic.imports ?? [])].forEach((m) => visit(m as ModuleRef));
  };
  visit(root);
  return names;
}

describe('the configuration each entry point reads', () => {
  const entryPoints: [string, EntryPoint][] = [
    ['the API (AppModule)', AppModule],
    ['the worker (WorkerModule)', WorkerModule],
    ['the CLI (CliModule)', CliModule],
  ];

  it.each(entryPoints)('%s lists exactly the namespaces its modules inject', (_, entry) => {
    const configuration = Configuration.load(entry.namespaces, {});
    const injected = injectedNamespaces(entry.forRoot(configuration));
    expect([...injected].toSorted()).toEqual(entry.namespaces.map((n) => n.name).toSorted());
  });
});
