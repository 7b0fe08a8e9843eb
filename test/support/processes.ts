import type { ChildProcess } from 'node:child_process';

/**
 * Kills (SIGKILL) every process in `children` still running, empties the list, and waits for them
 * to exit: called in `afterEach`, so a test whose assertion failed before it stopped its own
 * processes leaves nothing behind for the next test (a port, a database's lock).
 */
export async function killAll(children: ChildProcess[]): Promise<void> {
  const running = children.splice(0).filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve))));
}
