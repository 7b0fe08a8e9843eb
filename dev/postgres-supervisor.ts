// Runs a PostgreSQL server for the process that started it, and stops it when that process goes
// away, however it goes: a clean exit, a crash, SIGHUP from a closed terminal, a second SIGTERM or
// SIGKILL. The parent holds this process's standard input; when the parent dies the kernel closes
// that pipe and this process reads its end. Development only (dev/embedded-postgres.ts starts it).
//
//   node postgres-supervisor.js <postgres binary> <argument>...
//
// Its own process group (the parent spawns it detached), so a terminal's Ctrl-C or SIGHUP reaches
// the app, which then lets this stop the server once the app's connections are closed.
// No imports from the project: Node runs this file as it is, also from its TypeScript source.
import { spawn } from 'node:child_process';

const [binary, ...args] = process.argv.slice(2);
const FAST_SHUTDOWN = 'SIGINT';
const IMMEDIATE_SHUTDOWN = 'SIGQUIT';
const STOP_TIMEOUT_MS = 10_000;

const uid = process.env.SUPERVISED_UID ? Number(process.env.SUPERVISED_UID) : undefined;
const gid = process.env.SUPERVISED_GID ? Number(process.env.SUPERVISED_GID) : undefined;
const server = spawn(binary, args, { uid, gid, stdio: ['ignore', 'pipe', 'pipe'] });

// The server's lines go to the parent while it listens; once it is gone they have nowhere to go.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
server.stdout.pipe(process.stdout);
server.stderr.pipe(process.stderr);
server.once('error', (error) => {
  process.stderr.write(`cannot start ${binary}: ${error.message}\n`);
  process.exit(1);
});
server.once('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.kill(FAST_SHUTDOWN);
  setTimeout(() => server.kill(IMMEDIATE_SHUTDOWN), STOP_TIMEOUT_MS).unref();
}

// The parent closed the pipe (on purpose, or by dying), or asked by signal.
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);

// Belt and braces: a parent that handed its pipe on to another process is gone all the same.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1_000).unref();
