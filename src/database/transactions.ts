import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * A running transaction, as the owners of the tables it changes receive it: each module's service
 * takes one where a change must be atomic with another module's (`transaction?: Transaction`), and
 * its repository runs its statements on it.
 */
export type Transaction = EntityManager;

/** Starts transactions that span modules: every change inside `run` commits together, or none does. */
@Injectable()
export class Transactions {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
