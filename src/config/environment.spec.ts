import { randomBytes } from 'node:crypto';
import { AppEnvironment, appConfig } from './app.config.js';
import { authConfig } from './auth.config.js';
import { Configuration } from './configuration.js';
import { databaseConfig, DatabaseEnvironment } from './database.config.js';
import { InvalidConfigurationError, readEnvironment } from './environment.js';
import { httpConfig } from './http.config.js';
import { mailConfig } from './mail.config.js';

function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('environment', () => {
  it('applies defaults and converts types', () => {
    const env = readEnvironment(AppEnvironment, { PORT: '8080', LOG_LEVEL: '' });
    expect(env).toMatchObject({ PORT: 8080, NODE_ENV: 'development', LOG_LEVEL: 'info' });
  });

  it('names every bad variable of every namespace in one error, each once', () => {
    const run = () =>
      Configuration.load([appConfig, httpConfig, databaseConfig], {
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        DATABASE_MIGRATE: 'perhaps',
      });
    expect(run).toThrow(InvalidConfigurationError);
    const { problems } = thrownBy(run) as InvalidConfigurationError;
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'DATABASE_MIGRATE']) {
      expect(problems.filter((problem) => problem.startsWith(`${name}=`))).toHaveLength(1);
    }
  });

  it('takes a 32-byte MFA key in base64 or base64url, and refuses a placeholder, a wrong size or none in production', () => {
    const key = randomBytes(32);
    const auth = (env: Record<string, string>) => Configuration.load([authConfig], env).get(authConfig);
    expect(auth({ AUTH_MFA_ENCRYPTION_KEY: key.toString('base64') }).mfaEncryptionKey).toEqual(key);
    expect(auth({ AUTH_MFA_ENCRYPTION_KEY: key.toString('base64url') }).mfaEncryptionKey).toEqual(key);
    // Development: a fixed key, so that sealed secrets survive a restart.
    expect(auth({}).mfaEncryptionKey).toEqual(auth({}).mfaEncryptionKey);
    expect(auth({}).mfaEncryptionKey).toHaveLength(32);
    const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: randomBytes(32).toString('base64url') };
    for (const [value, message] of [
      [undefined, /AUTH_MFA_ENCRYPTION_KEY=.*required in production/],
      [randomBytes(16).toString('base64'), /AUTH_MFA_ENCRYPTION_KEY=.*32 bytes/],
      [Buffer.alloc(32).toString('base64'), /AUTH_MFA_ENCRYPTION_KEY=.*placeholder/],
    ] as const)
      expect(() => auth({ ...production, ...(value && { AUTH_MFA_ENCRYPTION_KEY: value }) })).toThrow(
        message,
      );
  });

  it('validates only the namespaces an entry point uses', () => {
    const env = { DATABASE_URL: 'postgres://localhost/x', SMTP_URL: 'not a url', PORT: 'abc' };
    expect(Configuration.load([databaseConfig], env).get(databaseConfig).url).toBe(env.DATABASE_URL);
    expect(() => Configuration.load([databaseConfig, mailConfig], env)).toThrow(/SMTP_URL=/);
  });

  it('reads replicas, a direct URL and the prepared-statement switch, each only with DATABASE_URL', () => {
    const database = (env: Record<string, string>) =>
      Configuration.load([databaseConfig], env).get(databaseConfig);
    const primary = 'postgres://db-primary/app';
    expect(database({ DATABASE_URL: primary })).toMatchObject({
      replicaUrls: [],
      directUrl: undefined,
      preparedStatements: true,
    });
    expect(
      database({
        DATABASE_URL: 'postgres://pgbouncer:6432/app',
        DATABASE_REPLICA_URLS: 'postgres://db-a/app, postgresql://db-b/app',
        DATABASE_DIRECT_URL: primary,
        DATABASE_PREPARED_STATEMENTS: 'false',
      }),
    ).toMatchObject({
      replicaUrls: ['postgres://db-a/app', 'postgresql://db-b/app'],
      directUrl: primary,
      preparedStatements: false,
    });
    expect(() =>
      database({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'postgres://a/x,mysql://b/x' }),
    ).toThrow(/DATABASE_REPLICA_URLS=/);
    expect(() => database({ DATABASE_REPLICA_URLS: 'postgres://db-a/app' })).toThrow(
      /DATABASE_URL=.*replicas/,
    );
    expect(() => database({ DATABASE_DIRECT_URL: primary })).toThrow(/DATABASE_URL=.*direct URL/);
  });

  it('refuses a namespace the entry point did not load', () => {
    const configuration = Configuration.load([databaseConfig], {});
    expect(() => configuration.get(mailConfig)).toThrow(/no 'mail' namespace/);
  });

  it('accepts booleans written in the usual ways', () => {
    expect(readEnvironment(DatabaseEnvironment, { DATABASE_MIGRATE: 'yes' }).DATABASE_MIGRATE).toBe(true);
    expect(readEnvironment(DatabaseEnvironment, { DATABASE_MIGRATE: '0' }).DATABASE_MIGRATE).toBe(false);
  });
});
