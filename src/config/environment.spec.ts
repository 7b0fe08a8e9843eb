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

  it.each([
    ['AUTH_MFA_ENCRYPTION_KEY', 'mfaEncryptionKey', 'AUTH_KEY_ENCRYPTION_KEY'],
    ['AUTH_KEY_ENCRYPTION_KEY', 'keyEncryptionKey', 'AUTH_MFA_ENCRYPTION_KEY'],
  ] as const)(
    'takes %s as 32 bytes in base64 or base64url, and refuses a placeholder, a wrong size or none in production',
    (name, member, other) => {
      const key = randomBytes(32);
      const auth = (env: Record<string, string>) => Configuration.load([authConfig], env).get(authConfig);
      expect(auth({ [name]: key.toString('base64') })[member]).toEqual(key);
      expect(auth({ [name]: key.toString('base64url') })[member]).toEqual(key);
      // Development: a fixed key, so that sealed secrets survive a restart; one per purpose.
      expect(auth({})[member]).toEqual(auth({})[member]);
      expect(auth({})[member]).toHaveLength(32);
      expect(auth({}).mfaEncryptionKey).not.toEqual(auth({}).keyEncryptionKey);
      const production = {
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
        [other]: randomBytes(32).toString('base64'),
      };
      for (const [value, message] of [
        [undefined, new RegExp(`${name}=.*required in production`)],
        [randomBytes(16).toString('base64'), new RegExp(`${name}=.*32 bytes`)],
        [Buffer.alloc(32).toString('base64'), new RegExp(`${name}=.*placeholder`)],
      ] as const)
        expect(() => auth({ ...production, ...(value && { [name]: value }) })).toThrow(message);
      expect(auth({ ...production, [name]: key.toString('base64') })[member]).toEqual(key);
    },
  );

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
