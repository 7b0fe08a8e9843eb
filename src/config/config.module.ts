import { Module, type DynamicModule } from '@nestjs/common';
import type { Configuration } from './configuration.js';

/**
 * The entry point's configuration, one provider per namespace, for every module to inject
 * (`@Inject(appConfig.KEY)`). The values were validated before the container was built.
 */
@Module({})
export class ConfigurationModule {
  static forRoot(configuration: Configuration): DynamicModule {
    const providers = configuration.providers();
    return {
      module: ConfigurationModule,
      global: true,
      providers,
      exports: providers.map((provider) => (provider as { provide: string }).provide),
    };
  }
}
