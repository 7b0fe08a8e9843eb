import { AppEnvironment, appConfig } from './app.config.js';
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

  it('validates only the namespaces an entry point uses', () => {
    const env = { DATABASE_URL: 'postgres://localhost/x', SMTP_URL: 'not a url', PORT: 'abc' };
    expect(Configuration.load([databaseConfig], env).get(databaseConfig).url).toBe(env.DATABASE_URL);
    expect(() => Configuration.load([databaseConfig, mailConfig], env)).toThrow(/SMTP_URL=/);
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
