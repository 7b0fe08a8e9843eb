// Jest runs the ESM build of the code (Nest 12 is ESM-only) through ts-jest, on Node 24 with
// --experimental-vm-modules (see the `test` script).
const tsJest = [
  'ts-jest',
  { useESM: true, tsconfig: { isolatedModules: true }, transpilation: true, diagnostics: false },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/setup-env.ts'],
      slowTestThreshold: 20,
    },
  ],
};
