import 'reflect-metadata';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { DomainError } from '../common/errors/domain-error.js';
import { AdminCliEnvironment } from '../config/cli.config.js';
import { readEnvironment } from '../config/environment.js';
import type { User } from '../users/entities/user.entity.js';
import type { AdminCommands } from './admin-commands.js';
import { InvalidCommandInputError } from './command-input.js';
import { KEY_SET_REFRESH_SECONDS } from '../keys/key-set-refresh.js';

/** Exit codes: 0 done, 1 refused or failed (the reason on stderr), 2 a command line not understood. */
const USAGE_ERROR = 2;

/**
 * `npm run cli -- <command>`: the admin operations for operators without HTTP access, on the
 * database `npm start` uses (DATABASE_URL, or the embedded one). commander parses the command line
 * and writes the help before anything boots, so `--help` and a typo need no database; a command
 * then runs in a Nest application context (CliModule), through AdminCommands.
 */
function program(): Command {
  const cli = new Command('npm run cli --')
    .description('Gatehouse administration, on the database `npm start` uses (DATABASE_URL).')
    .showHelpAfterError()
    .exitOverride();
  cli
    .command('create-admin')
    .description(
      'Create an admin, or promote the user who has this email (keeping their password; an unverified account needs --reset).',
    )
    .requiredOption('--email <email>', 'the admin’s email address')
    .requiredOption('--name <name>', 'the admin’s display name')
    .option(
      '--reset',
      'on an existing account: set the password from ADMIN_PASSWORD, mark the address verified, and remove its second factors, sessions, pending sign-ins and links',
    )
    .addHelpText(
      'after',
      '\nThe password is read from ADMIN_PASSWORD, so that it stays out of shell history.',
    )
    .action(({ email, name, reset }: { email: string; name: string; reset?: boolean }) => {
      // Read before anything boots: without it there is nothing to do.
      const { ADMIN_PASSWORD: password } = readEnvironment(AdminCliEnvironment);
      return run(async (commands) => {
        const { user, created } = await commands.createAdmin({ email, name, password }, { reset });
        if (created) return `created the admin ${named(user)}`;
        return reset
          ? `reset ${named(user)} (password from ADMIN_PASSWORD, address verified, factors, sessions and links removed) and promoted to admin`
          : `promoted ${named(user)} to admin; the password was left as it was`;
      });
    });
  cli
    .command('suspend')
    .description('Suspend a user: every session ends at once, and they cannot sign in, refresh or reset.')
    .requiredOption('--email <email>', 'the user’s email address')
    .requiredOption('--reason <reason>', 'why, for the admins who come after you (shown to admins only)')
    .action(({ email, reason }: { email: string; reason: string }) =>
      run(async (commands) => `suspended ${named(await commands.suspend(email, reason))}`),
    );
  cli
    .command('unsuspend')
    .description('Let a suspended user sign in again.')
    .requiredOption('--email <email>', 'the user’s email address')
    .action(({ email }: { email: string }) =>
      run(async (commands) => `unsuspended ${named(await commands.unsuspend(email))}`),
    );
  cli
    .command('end-sessions')
    .description('Sign a user out everywhere: every access and refresh token stops working.')
    .requiredOption('--email <email>', 'the user’s email address')
    .action(({ email }: { email: string }) =>
      run(async (commands) => `ended every session of ${named(await commands.endSessions(email))}`),
    );
  cli
    .command('password-reset')
    .description('Mail a user a password-reset link (the link goes to them, never to you).')
    .requiredOption('--email <email>', 'the user’s email address')
    .action(({ email }: { email: string }) =>
      run(async (commands) => `queued a reset link to ${named(await commands.sendPasswordReset(email))}`),
    );
  cli
    .command('unlock')
    .description(
      'Lift the lock that repeated wrong passwords put on an address (with or without an account).',
    )
    .requiredOption('--email <email>', 'the locked email address')
    .addHelpText(
      'after',
      '\nWith REDIS_URL, the lock every instance reads; without it, each process has its own.',
    )
    .action(({ email }: { email: string }) =>
      run(async (commands) => {
        await commands.unlock(email);
        return `lifted the lock on ${email}, if it had one`;
      }),
    );
  cli
    .command('audit-export')
    .description(
      'Write the audit log between two times as JSON lines, oldest first, for a SIEM (the count on stderr).',
    )
    .requiredOption('--since <time>', 'the first instant, included (RFC 3339: 2026-11-01T00:00:00Z)', instant)
    .option('--until <time>', 'the last instant, excluded (default: now)', instant)
    .action(({ since, until }: { since: Date; until?: Date }) =>
      run(async (commands) => {
        let count = 0;
        for await (const event of commands.auditEvents(since, until ?? new Date())) {
          await writeLine(JSON.stringify(event));
          count++;
        }
        console.error(`${count} event(s)`);
        return undefined;
      }),
    );
  cli
    .command('dead-jobs')
    .description('List the jobs that failed for good, one JSON object a line (the count on stderr).')
    .action(() =>
      run(async (commands) => {
        const dead = await commands.listDeadJobs();
        for (const job of dead) console.info(JSON.stringify(job));
        console.error(dead.length ? `${dead.length} dead job(s)` : 'no dead jobs');
        return undefined;
      }),
    );
  keyCommands(
    cli
      .command('keys')
      .description('The keys that sign access tokens (published at /.well-known/jwks.json).'),
  );
  return cli;
}

function keyCommands(keys: Command): void {
  keys
    .command('list')
    .description(
      'Every published key, one JSON object a line: kid, algorithm, state, and until when it waits or stays.',
    )
    .action(() =>
      run(async (commands) => {
        for (const key of await commands.keys.list()) console.info(JSON.stringify(key));
        return undefined;
      }),
    );
  keys
    .command('rotate')
    .description(
      'The next key signs from now, the current one retires (its tokens stay valid until they expire), and a new next key is published.',
    )
    .option(
      '--force',
      'rotate even if the next key was published less than AUTH_JWKS_MAX_AGE + AUTH_ACCESS_TOKEN_TTL ago (a leaked key): verifiers that cached the key set fetch it again',
    )
    .action(({ force }: { force?: boolean }) =>
      run(async (commands) => {
        const key = await commands.keys.rotate({ force: force === true });
        return `rotated: ${key.kid} (${key.algorithm}) signs now; every instance follows within ${KEY_SET_REFRESH_SECONDS} s`;
      }),
    );
  keys
    .command('retire')
    .description(
      'Take a key out of use: the current one by a forced rotation, the next one by a new next key. Its tokens stay valid until they expire.',
    )
    .requiredOption('--kid <kid>', 'the key, as keys list names it')
    .action(({ kid }: { kid: string }) =>
      run(async (commands) => {
        const key = await commands.keys.retire(kid);
        return `retired ${key.kid}: published until ${key.until?.toISOString() ?? 'its removal'}`;
      }),
    );
}

const named = (user: User) => `${user.email} (${user.id})`;

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** An option that is a time: RFC 3339 with its offset, or the command line is not understood. */
function instant(value: string): Date {
  const date = new Date(value);
  if (!RFC_3339.test(value) || Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('not an RFC 3339 time, such as 2026-11-01T00:00:00Z.');
  return date;
}

/** One line on stdout, waiting while the reader (a pipe to a SIEM's shipper) catches up. */
function writeLine(line: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(`${line}\n`)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

/**
 * Runs a command in the application context and prints what it says. Nest and the modules are
 * loaded here, not above: `--help` answers without loading them.
 */
async function run(command: (commands: AdminCommands) => Promise<string | undefined>): Promise<void> {
  const [
    { NestFactory },
    { Configuration },
    { CliModule },
    { AdminCommands },
    { RequestContext, cliOrigin },
  ] = await Promise.all([
    import('@nestjs/core'),
    import('../config/configuration.js'),
    import('./cli.module.js'),
    import('./admin-commands.js'),
    import('../common/request-context.js'),
  ]);
  const configuration = Configuration.load(CliModule.namespaces);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(configuration), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    // What the command changes is recorded in the audit log as an operator's (`details.via: cli`).
    const said = await app.get(RequestContext).runAs(cliOrigin(), () => command(app.get(AdminCommands)));
    if (said) console.info(said);
  } finally {
    await app.close();
  }
}

/** What went wrong, for a person: a refusal's reason, never a stack. */
function reasonOf(error: unknown): string {
  if (error instanceof InvalidCommandInputError) return error.problems.join('\n');
  if (error instanceof DomainError && error.code === 'NOT_FOUND') return 'No user has this email address.';
  return error instanceof Error ? error.message : String(error);
}

program()
  .parseAsync(process.argv.slice(2), { from: 'user' })
  .then(
    () => process.exit(0),
    (error: unknown) => {
      // commander has written the help, or what it did not understand, already.
      if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR);
      console.error(reasonOf(error));
      process.exit(1);
    },
  );
