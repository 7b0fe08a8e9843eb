// @ts-check
// `npm run test:mutation`: StrykerJS changes the security code one small way at a time (a condition
// negated, a comparison moved, a string emptied) and runs the unit tests against each change; a
// change no test notices (a surviving mutant) is a test missing. A whole run takes about two hours
// on two cores; it is incremental (reports/stryker-incremental.json): a run after a change tests
// only the mutants of the code and tests that changed, and an interrupted run resumes. The README's
// table is written from the report by `npm run test:mutation:table`, never by hand.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    // The unit tests only: an e2e file boots the app on PostgreSQL, seconds per mutant. The SQL of
    // the repositories is what the e2e tests cover, so repositories are not mutated here.
    configFile: 'test/support/jest.unit.config.mjs',
    enableFindRelatedTests: true,
  },
  // The code that decides: services, the guard, tokens, the lock, the password policy, the errors.
  // Not mutated: what the e2e tests cover (repositories' SQL, controllers, whose decorators are
  // metadata), DTOs, entities, modules, and the wording of the emails.
  mutate: [
    'src/access/**/*.ts',
    'src/auth/**/*.ts',
    'src/users/**/*.ts',
    'src/account-emails/**/*.ts',
    'src/passwords/**/*.ts',
    'src/common/errors/**/*.ts',
    'src/mfa/**/*.ts',
    'src/audit/**/*.ts',
    'src/idempotency/**/*.ts',
    'src/database/**/*.ts',
    'src/common/http/**/*.ts',
    // Signing keys: their life, the ring that signs and verifies, and the seal of their private keys.
    'src/keys/**/*.ts',
    'src/common/secret-box.ts',
    // API keys: their text, who they make a caller, their life.
    'src/api-keys/**/*.ts',
    'src/organizations/**/*.ts',
    'src/webhooks/**/*.ts',
    // The address policy's script check, in common/ since config validates its levels.
    'src/common/script-restriction.ts',
    // Entry points: a process's wiring, which test/process runs compiled.
    '!src/**/*.cli.ts',
    '!src/**/*.spec.ts',
    '!src/**/*.module.ts',
    '!src/**/*.repository.ts',
    '!src/**/*.controller.ts',
    '!src/**/*.decorators.ts',
    '!src/**/dto/**',
    '!src/**/entities/**',
    '!src/users/user-columns.ts',
    '!src/account-emails/account-email.templates.ts',
  ],
  coverageAnalysis: 'perTest',
  // A mutant in code that runs as a module loads (decorators, constants) would need every test run
  // for it; they are left out (a whole run over this scope still takes one to two hours here).
  ignoreStatic: true,
  concurrency: 2,
  // Jest's ESM module registry grows with every run in a worker (4 GB after a few hundred mutants,
  // and a third of the speed): a fresh worker every 40 runs keeps it small.
  maxTestRunnerReuse: 40,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
