// Jest runs the ESM build of the code (Nest 12 is ESM-only) through ts-jest, on Node 24 with
// --experimental-vm-modules (see the `test` scripts).
const tsJest = [
  'ts-jest',
  { useESM: true, tsconfig: { isolatedModules: true }, transpilation: true, diagnostics: false },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The tests use the client package from its source, as it is in this checkout.
    '^@gatehouse/client$': '<rootDir>/clients/typescript/src/index.ts',
  },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
};
const againstTheDatabase = {
  ...common,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  slowTestThreshold: 20,
};

/** Tests of the code alone, with fakes for its collaborators: fast enough for mutation testing too. */
export const unitProject = {
  ...common,
  displayName: 'unit',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/schematics/**/*.spec.js'],
  setupFiles: ['<rootDir>/test/support/load-nest-first.ts'],
};

export default {
  // A test or hook that starts an app and signs a user in takes 1-3 s on this 2-core host, and
  // several on a busy one: Jest's default 5 s failed them. Global: Jest reads it from the root
  // configuration only (a project's testTimeout is ignored).
  testTimeout: 15_000,
  projects: [
    unitProject,
    { ...againstTheDatabase, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    // Swagger UI driven in Debian's Chromium: `npm run test:browser`, outside `npm test`, which must
    // pass on a machine without a browser.
    { ...againstTheDatabase, displayName: 'browser', testMatch: ['<rootDir>/test/**/*.browser-spec.ts'] },
    // What this machine runs beside the app: a streaming replica made with Debian's PostgreSQL
    // binaries, Debian's PgBouncer, kubectl's kustomize. `npm run test:servers`, outside `npm test`
    // for the same reason (README: what they need).
    { ...againstTheDatabase, displayName: 'servers', testMatch: ['<rootDir>/test/**/*.servers-spec.ts'] },
  ],
};
