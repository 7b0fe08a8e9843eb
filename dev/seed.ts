import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CliModule } from '../src/cli/cli.module.js';
import { appConfig } from '../src/config/app.config.js';
import { Configuration } from '../src/config/configuration.js';
import type { UserRole } from '../src/users/entities/user.entity.js';
import { UsersService } from '../src/users/users.service.js';

/**
 * `npm run seed [-- --users 10]`: an admin and N users with known passwords on the database
 * `npm start` uses, for local development; each password is printed once, here, and stored only
 * as its hash. Accounts that exist already are left as they are. Refuses to run in production.
 * Development tooling: in `dev/`, never in the image.
 */
async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { users: { type: 'string', default: '10' } } });
  const count = Number(values.users);
  if (!Number.isInteger(count) || count < 0 || count > 1000) {
    console.error('usage: npm run seed [-- --users N], N from 0 to 1000');
    return 2;
  }
  // Asked first, alone: in production nothing else matters.
  if (Configuration.load([appConfig]).get(appConfig).isProduction) {
    console.error(
      'npm run seed makes accounts with printed passwords: it refuses to run with NODE_ENV=production',
    );
    return 1;
  }
  const configuration = Configuration.load(CliModule.namespaces);
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(configuration), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const users = app.get(UsersService);
    const accounts: { email: string; name: string; role: UserRole }[] = [
      { email: 'admin@seed.example', name: 'Seed Admin', role: 'admin' },
      ...Array.from({ length: count }, (_, i) => ({
        email: `user-${i + 1}@seed.example`,
        name: `Seed User ${i + 1}`,
        role: 'user' as const,
      })),
    ];
    for (const { email, name, role } of accounts) {
      if (await users.findByEmail(email)) {
        console.info(`${email}  exists: left as it is`);
        continue;
      }
      // 72 random bits: strong for the policy, short enough to type.
      const password = `seed ${randomBytes(9).toString('base64url')}`;
      await users.signUp({ email, name, password }, role);
      console.info(`${email}  ${role}  password: ${password}`);
    }
    console.info('the passwords above are shown once; `npm run seed` again leaves these accounts alone');
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
