import { Module } from '@nestjs/common';
import { MigrationsOnBoot } from './migrations-on-boot.js';

/**
 * The schema at boot (the embedded database always, an external one with DATABASE_MIGRATE=true):
 * ours and pg-boss's, so this sits above `database/` and `jobs/`. Every entry point imports it.
 */
@Module({ providers: [MigrationsOnBoot] })
export class MigrationsModule {}
