import { execFile } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);
const isRoot = () => userInfo().uid === 0;

/**
 * PostgreSQL's servers and PgBouncer refuse to run as root. As root, the servers the tests start run
 * as the `postgres` user, and the files they need are given to it; otherwise both stay as they are.
 */
export async function giveToPostgres(...paths: string[]): Promise<void> {
  if (!isRoot()) return;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  for (const file of paths) await chown(file, Number(uid), Number(gid));
}

/** `command args`, as the `postgres` user when this process is root (`runuser` passes signals on). */
export function asPostgres(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}
