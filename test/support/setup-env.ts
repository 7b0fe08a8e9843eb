// Every e2e file runs the app as it runs in tests: quiet, with the defaults of a fresh checkout.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'error';
