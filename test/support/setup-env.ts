import { randomBytes } from 'node:crypto';

// Every e2e file runs the app silently (`LOG_LEVEL=debug npm test` shows its logs), with its own
// signing key, and without rate limits unless the file turns them on (Jest gives each test file its
// own process.env).
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
process.env.RATE_LIMIT_ENABLED = 'false';
process.env.AUTH_JWT_SECRET = randomBytes(32).toString('base64url');

// @nestjs/throttler is CommonJS and require()s the ESM @nestjs/common. Under Jest's ESM loader that
// require fails as a cycle when it lands while @nestjs/common is still evaluating, so the Nest
// packages are loaded completely first (see nestjs-cls#631 for the same interplay).
await import('@nestjs/common');
await import('@nestjs/core');
