// The build the gate compares this checkout's with: another commit checked out in a git worktree
// under .data/gate/ and built there, kept between runs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

/** What the app's build is made of: a change anywhere else (tests, bench, docs) builds the same app. */
const BUILD_INPUTS = [
  'src',
  'dev',
  'migrations',
  'ormconfig.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
  'Dockerfile',
  ':(exclude)src/**/*.spec.ts',
];

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();

/**
 * The commit that last changed `file` (bench/baseline.json): a change that pays a cost on purpose
 * writes the file, and its own commit becomes what later changes are held to.
 */
export function lastCommitOf(file) {
  const sha = git('log', '-1', '--format=%H', '--', file);
  if (!sha) throw new Error(`no commit has ${file} (a shallow clone? the gate needs the history)`);
  return sha;
}

/**
 * `commit` built in its own worktree, with this checkout's node_modules when the two lock files
 * are the same (the worktree is the gate's, never a user's layout) and its own `npm ci` otherwise.
 * `identical`: the app this checkout builds, tracked changes included, is made of the same files.
 */
export function referenceBuild(commit, log) {
  const sha = git('rev-parse', commit);
  const root = path.resolve('.data/gate', sha.slice(0, 12));
  if (!existsSync(path.join(root, 'dist/src/main.js'))) {
    rmSync(root, { recursive: true, force: true });
    git('worktree', 'prune');
    git('worktree', 'add', '--detach', root, sha);
    const sameLock =
      readFileSync(path.join(root, 'package-lock.json'), 'utf8') ===
      readFileSync('package-lock.json', 'utf8');
    log(
      `building ${sha.slice(0, 7)} in ${path.relative('.', root)}${sameLock ? '' : ' (its own npm ci: the lock files differ)'}`,
    );
    if (sameLock) symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'), 'dir');
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-b', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  return { sha, root, identical: sameBuildInputs(sha) };
}

/** Whether this checkout's build inputs, uncommitted changes and new files included, are `sha`'s. */
function sameBuildInputs(sha) {
  try {
    execFileSync('git', ['diff', '--quiet', sha, '--', ...BUILD_INPUTS]);
  } catch {
    return false;
  }
  return git('ls-files', '--others', '--exclude-standard', '--', 'src', 'dev', 'migrations') === '';
}
