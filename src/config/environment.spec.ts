import { AppEnvironment } from './app.config.js';
import { DatabaseEnvironment } from './database.config.js';
import { checkEnvironment, InvalidConfigurationError, readEnvironment } from './environment.js';

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
    const env = readEnvironment(AppEnvironment, { PORT: '8080', BODY_LIMIT: '' });
    expect(env).toMatchObject({
      PORT: 8080,
      BODY_LIMIT: 100_000,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
    });
  });

  it('names every bad variable of every namespace in one error', () => {
    const run = () =>
      checkEnvironment([AppEnvironment, DatabaseEnvironment], {
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        DATABASE_MIGRATE: 'perhaps',
      });
    expect(run).toThrow(InvalidConfigurationError);
    const message = thrownBy(run).message;
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'DATABASE_MIGRATE']) {
      expect(message).toContain(`${name}=`);
    }
  });

  it('accepts booleans written in the usual ways', () => {
    expect(readEnvironment(DatabaseEnvironment, { DATABASE_MIGRATE: 'yes' }).DATABASE_MIGRATE).toBe(true);
    expect(readEnvironment(DatabaseEnvironment, { DATABASE_MIGRATE: '0' }).DATABASE_MIGRATE).toBe(false);
  });
});
