import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GatehouseAuthGuard } from './gatehouse-auth.guard.js';
import { GATEHOUSE_AUTH_OPTIONS, type GatehouseAuthOptions } from './options.js';
import { TokenVerifier } from './token-verifier.js';

/**
 * `GatehouseAuthModule.forRoot({ issuer, audience, jwksUri })` in the root module: every route then
 * needs a Gatehouse access token (unless `guardAllRoutes: false`, then `@UseGuards(GatehouseAuthGuard)`
 * where you want it).
 */
@Module({})
export class GatehouseAuthModule {
  static forRoot(options: GatehouseAuthOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: GATEHOUSE_AUTH_OPTIONS, useValue: options },
      TokenVerifier,
      GatehouseAuthGuard,
    ];
    if (options.guardAllRoutes !== false)
      providers.push({ provide: APP_GUARD, useExisting: GatehouseAuthGuard });
    return {
      module: GatehouseAuthModule,
      global: true,
      providers,
      exports: [TokenVerifier, GatehouseAuthGuard],
    };
  }
}
