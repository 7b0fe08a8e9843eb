import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parseArgs } from 'node:util';
import { AdminCliEnvironment } from '../config/cli.config.js';
import { InvalidConfigurationError, readEnvironment } from '../config/environment.js';
import { loadEnvironment } from '../config/load-environment.js';
import { CreateUserDto } from '../users/dto/create-user.dto.js';
import { UsersService } from '../users/users.service.js';
import { CliModule } from './cli.module.js';

const USAGE = 'usage: ADMIN_PASSWORD=… npm run cli -- create-admin --email <email> --name <name>';

/**
 * `npm run cli -- create-admin --email … --name …`: creates an admin, or promotes the existing user
 * with that email, on the database `npm start` uses (DATABASE_URL, or the embedded one).
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' } },
  });
  if (command !== 'create-admin' || !values.email || !values.name) {
    console.error(USAGE);
    return 2;
  }
  loadEnvironment();
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

  const app = await NestFactory.createApplicationContext(CliModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const { user, created } = await app.get(UsersService).createAdmin(input);
    console.info(
      created
        ? `created the admin ${user.email} (${user.id})`
        : `promoted ${user.email} (${user.id}) to admin; the password was left as it was`,
    );
    return 0;
  } finally {
    await app.close();
  }
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
