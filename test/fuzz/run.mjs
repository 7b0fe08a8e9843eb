// npm run fuzz [-- --runs 20000 --seed 42 --path "3:1:0" --time-limit 90 --min-positive 20]: the fuzz
// suite with more runs and a random seed (printed), or replaying the case fast-check reported (its
// seed and path), through Jest like the rest of the e2e tests. With --time-limit (seconds) the
// property of any request stops after its share of that time, passing with the cases it ran; every
// operation still gets --min-positive positive cases (20 here, 3 in npm test). CI sets the same
// through FUZZ_* in its npm test.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    path: { type: 'string', default: '' },
    'time-limit': { type: 'string', default: '' },
    'min-positive': { type: 'string', default: '20' },
  },
});
const timeLimit = values['time-limit'] ? `, at most ${values['time-limit']} s` : '';
console.info(
  `fuzzing with ${values.runs} runs, seed ${values.seed}${values.path ? `, path ${values.path}` : ''}${timeLimit}, ` +
    `${values['min-positive']} positive cases per operation`,
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
    env: {
      ...process.env,
      FUZZ_RUNS: values.runs,
      FUZZ_SEED: values.seed,
      FUZZ_PATH: values.path,
      FUZZ_MIN_POSITIVE: values['min-positive'],
      FUZZ_TIME_LIMIT_MS: values['time-limit'] ? String(Number(values['time-limit']) * 1000) : '',
    },
  },
);
if (status !== 0)
  console.error(
    `the fuzz run failed: replay it with npm run fuzz -- --seed ${values.seed} (and the path above)`,
  );
process.exit(status ?? 1);
