import { Injectable } from '@nestjs/common';
import { DataSource, type EntityMetadata } from 'typeorm';
import { selectColumns } from '../database/select-columns.js';
import { User } from './entities/user.entity.js';

/**
 * A user's columns for the hand-written SQL of the hot paths, derived from the entity's TypeORM
 * metadata: each column is selected under its property's name, so a row is a `User` as TypeORM
 * would read it, and a column added to the entity is selected everywhere without another edit.
 * The users module publishes it for reads that must join its table in one round trip (the
 * caller's session and account, on every request); test/users/user-columns.e2e-spec.ts checks
 * that a row read this way equals TypeORM's own read.
 */
@Injectable()
export class UserColumns {
  private readonly metadata: EntityMetadata;

  constructor(dataSource: DataSource) {
    this.metadata = dataSource.getMetadata(User);
  }

  /** `u."id" AS "id", u."password_hash" AS "passwordHash", …` for the table alias given. */
  select(alias: string): string {
    return selectColumns(this.metadata, alias);
  }

  /** One column of the account behind `alias`, by its property: `u."role"` for `column('u', 'role')`. */
  column(alias: string, property: keyof User): string {
    const column = this.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`users has no column for ${property}`);
    return `${alias}."${column.databaseName}"`;
  }

  /** SQL that holds when the account behind `alias` may sign in (an active account). */
  whereActive(alias: string): string {
    return `${alias}.status = 'active'`;
  }

  /** A row selected with `select()`: its members are the entity's, with the types pg gives them. */
  toUser(row: object): User {
    return row as User;
  }
}
