import { randomBytes } from 'node:crypto';

// Every e2e file runs the app silently (`LOG_LEVEL=debug npm test` shows its logs), with its own
// signing key, and without rate limits unless the file turns them on (Jest gives each test file its
// own process.env).
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
process.env.RATE_LIMIT_ENABLED = 'false';
process.env.AUTH_JWT_SECRET = randomBytes(32).toString('base64url');
process.env.AUTH_MFA_ENCRYPTION_KEY = randomBytes(32).toString('base64');
process.env.AUTH_KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');

await import('./load-nest-first.js');
