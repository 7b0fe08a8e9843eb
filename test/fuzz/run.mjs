// npm run fuzz [-- --runs 20000 --seed 42 --path "3:1:0"]: the fuzz suite with more runs, or replaying
// the case fast-check reported (its seed and path), through Jest like the rest of the e2e tests.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    path: { type: 'string', default: '' },
  },
});
console.info(
  `fuzzing with ${values.runs} runs, seed ${values.seed}${values.path ? `, path ${values.path}` : ''}`,
);
const { status } = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    'node_modules/jest/bin/jest.js',
    '--selectProjects',
    'e2e',
    '--testPathPatterns',
    'test/fuzz/',
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, FUZZ_RUNS: values.runs, FUZZ_SEED: values.seed, FUZZ_PATH: values.path },
  },
);
process.exit(status ?? 1);
