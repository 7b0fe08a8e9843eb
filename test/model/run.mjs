// npm run test:model [-- --runs 200 --seed 42 --path "17:3"]: the model-based account test with more
// sequences and a random seed (printed), or replaying the sequence fast-check reported (its seed and
// path), through Jest like the rest of the e2e tests. `npm test` runs 30 sequences from a fixed seed.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    path: { type: 'string', default: '' },
  },
});
console.info(
  `the account model with ${values.runs} sequences, seed ${values.seed}${values.path ? `, path ${values.path}` : ''}`,
);
const { status } = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    'node_modules/jest/bin/jest.js',
    '--selectProjects',
    'e2e',
    '--testPathPatterns',
    'test/model/',
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, MODEL_RUNS: values.runs, MODEL_SEED: values.seed, MODEL_PATH: values.path },
  },
);
process.exit(status ?? 1);
