// npm run test:mutation:table [-- --check]: the README's table of mutation scores, written from the
// last Stryker report (reports/mutation/mutation.json) between its two markers. With --check it
// writes nothing and fails when the README says something else, when a folder with a target is
// under it, or when one is not in the report at all: CI runs it after its incremental Stryker run,
// so the table is always the code's.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import prettier from 'prettier';

/** The folders reported, and the score each must reach (issue 30: the security code, 80%). */
const FOLDERS = [
  ['access', 80],
  ['auth', 80],
  ['mfa', 80],
  ['passwords', 80],
  ['account-emails', 80],
  ['idempotency', 80],
  ['common/errors', 80],
  ['keys', 80],
  ['api-keys', 80],
  ['organizations', 80],
  ['webhooks', 80],
  ['users', undefined],
  ['audit', undefined],
  ['database', undefined],
  ['common/http', undefined],
];
const START = '<!-- mutation-scores:start -->';
const END = '<!-- mutation-scores:end -->';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const report = JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8'));

/** Killed or timed out, of the mutants a test could have caught (Stryker's mutation score). */
function score(files) {
  const counts = { detected: 0, survived: 0, noCoverage: 0 };
  for (const [, file] of files)
    for (const { status } of file.mutants) {
      if (status === 'Killed' || status === 'Timeout') counts.detected++;
      else if (status === 'Survived') counts.survived++;
      else if (status === 'NoCoverage') counts.noCoverage++;
    }
  const valid = counts.detected + counts.survived + counts.noCoverage;
  return { ...counts, valid, percent: valid === 0 ? 100 : (100 * counts.detected) / valid };
}

const files = Object.entries(report.files);
const rows = FOLDERS.map(([folder, target]) => ({
  folder,
  target,
  ...score(files.filter(([path]) => path.startsWith(`src/${folder}/`))),
}));
const all = score(files);
const line = (cells) => `| ${cells.join(' | ')} |`;
const table = [
  line(['folder', 'score', 'killed or timed out', 'survived', 'no test ran it', 'target']),
  line(['---', '---:', '---:', '---:', '---:', '---:']),
  ...rows.map((r) =>
    r.valid === 0
      ? line([`\`${r.folder}\``, 'not in this run', '', '', '', r.target ? `${r.target}%` : ''])
      : line([
          `\`${r.folder}\``,
          `${r.percent.toFixed(2)}%`,
          r.detected,
          r.survived,
          r.noCoverage,
          r.target ? `${r.target}%` : '',
        ]),
  ),
  line([
    `all (${all.valid} mutants)`,
    `${all.percent.toFixed(2)}%`,
    all.detected,
    all.survived,
    all.noCoverage,
    '',
  ]),
].join('\n');

// The code the report is of: the commit checked out when it ran (its src/ and specs unchanged since).
const commit = execFileSync('git', ['log', '-1', '--format=%h', '--', 'src', 'stryker.config.mjs'], {
  encoding: 'utf8',
}).trim();
const measured = rows.filter((r) => r.valid > 0).map((r) => `\`${r.folder}\``);
const caption = `Stryker's report of the code at ${commit}, over ${measured.join(', ')}:`;
const readme = readFileSync('README.md', 'utf8');
const [before, rest] = readme.split(START);
if (rest === undefined || !rest.includes(END)) throw new Error(`README.md has no ${START} … ${END}`);
// Formatted as `npm run format` would, so that the format check and this one agree.
const updated = await prettier.format(
  `${before}${START}\n\n${caption}\n\n${table}\n\n${END}${rest.slice(rest.indexOf(END) + END.length)}`,
  { ...(await prettier.resolveConfig('README.md')), filepath: 'README.md' },
);
const under = rows.filter((r) => r.target && r.valid > 0 && r.percent < r.target);
for (const r of under)
  console.error(`${r.folder}: ${r.percent.toFixed(2)}%, under its target of ${r.target}%`);
if (!values.check) {
  writeFileSync('README.md', updated);
  console.info(table);
} else if (updated !== readme) {
  console.error("README.md: the mutation table is not the report's; run npm run test:mutation:table");
  process.exitCode = 1;
} else if (under.length > 0) {
  process.exitCode = 1;
} else if (rows.some((r) => r.target && r.valid === 0)) {
  console.error('a folder with a target is not in the report: run the whole scope (npm run test:mutation)');
  process.exitCode = 1;
}
