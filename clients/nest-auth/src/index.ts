export { CurrentPrincipal, Public, Roles } from './decorators.js';
export { GatehouseAuthGuard } from './gatehouse-auth.guard.js';
export { GatehouseAuthModule } from './gatehouse-auth.module.js';
export type { GatehouseAuthOptions } from './options.js';
export type { GatehousePrincipal } from './principal.js';
export { TokenVerifier } from './token-verifier.js';
