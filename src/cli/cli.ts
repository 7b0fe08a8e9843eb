import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parseArgs } from 'node:util';
import { LoginLockout } from '../auth/login-lockout.js';
import { AdminCliEnvironment } from '../config/cli.config.js';
import { Configuration } from '../config/configuration.js';
import { InvalidConfigurationError, readEnvironment } from '../config/environment.js';
import { JobsService } from '../jobs/jobs.service.js';
import { CreateUserDto } from '../users/dto/create-user.dto.js';
import { UsersService } from '../users/users.service.js';
import { CliModule } from './cli.module.js';

const USAGE = `usage:
  ADMIN_PASSWORD=… npm run cli -- create-admin --email <email> --name <name>
  npm run cli -- unlock --email <email>
  npm run cli -- dead-jobs`;

/**
 * Command-line tools on the database `npm start` uses (DATABASE_URL, or the embedded one):
 *   create-admin --email … --name …   creates an admin, or promotes the existing user with that email
 *   unlock --email …                   lifts the lock repeated wrong passwords put on an address
 *   dead-jobs                          lists the jobs that failed for good (one JSON object a line)
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'create-admin') return createAdmin(rest);
  if (command === 'unlock') return unlock(rest);
  if (command === 'dead-jobs' && rest.length === 0) return listDeadJobs();
  console.error(USAGE);
  return 2;
}

async function withContext<T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const configuration = Configuration.load(CliModule.namespaces);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(configuration), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** With REDIS_URL the lock is the one every instance reads; without it, each process has its own. */
async function unlock(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
  if (!values.email) {
    console.error(USAGE);
    return 2;
  }
  await withContext((app) => app.get(LoginLockout).lift(values.email!));
  console.info(`lifted the lock on ${values.email}, if it had one`);
  return 0;
}

async function listDeadJobs(): Promise<number> {
  const dead = await withContext((app) => app.get(JobsService).deadJobs());
  for (const job of dead) console.info(JSON.stringify(job));
  console.error(dead.length ? `${dead.length} dead job(s)` : 'no dead jobs');
  return 0;
}

async function createAdmin(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' } } });
  if (!values.email || !values.name) {
    console.error(USAGE);
    return 2;
  }
  const { ADMIN_PASSWORD } = readEnvironment(AdminCliEnvironment);
  const input = plainToInstance(CreateUserDto, {
    email: values.email,
    name: values.name,
    password: ADMIN_PASSWORD,
  });
  const invalid = validateSync(input, { whitelist: true, forbidNonWhitelisted: true });
  if (invalid.length > 0) {
    for (const error of invalid)
      console.error(`${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`);
    return 2;
  }

  const { user, created } = await withContext((app) => app.get(UsersService).createAdmin(input));
  console.info(
    created
      ? `created the admin ${user.email} (${user.id})`
      : `promoted ${user.email} (${user.id}) to admin; the password was left as it was`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof InvalidConfigurationError
        ? error.message
        : error instanceof Error
          ? error.message
          : error,
    );
    process.exit(1);
  },
);
