// @nestjs/throttler is CommonJS and require()s the ESM @nestjs/common. Under Jest's ESM loader that
// require fails as a cycle when it lands while @nestjs/common is still evaluating, so the Nest
// packages are loaded completely first (see nestjs-cls#631 for the same interplay).
await import('@nestjs/common');
await import('@nestjs/core');
