import { Injectable } from '@nestjs/common';
import type { Transaction } from '../database/transactions.js';

/**
 * The events modules publish, by name: each publishing module adds its own entries to this
 * interface (declaration merging, in its `<module>.events.ts`), so that a publisher and its
 * subscribers agree on the payload's type without importing each other.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the publishing modules
export interface DomainEventMap {}
export type DomainEventName = keyof DomainEventMap;

/** A reaction to an event, run inside the transaction that made the change. */
export type DomainEventHandler<N extends DomainEventName> = (
  event: DomainEventMap[N],
  transaction: Transaction,
) => Promise<void>;

/**
 * Reactions of one module to another's changes, inside the change's transaction: the publisher does
 * not know who reacts (users publishes `account.signed-up`; account-emails queues the welcome mail),
 * and a reaction that fails rolls the change back, so a change and its reactions commit together or
 * not at all. Subscribers register in their provider's constructor or `onModuleInit`; a reaction
 * that must not hold the transaction up queues a job in it, as the welcome mail does.
 */
@Injectable()
export class DomainEvents {
  private readonly handlers = new Map<DomainEventName, DomainEventHandler<never>[]>();

  on<N extends DomainEventName>(name: N, handler: DomainEventHandler<N>): void {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler as DomainEventHandler<never>]);
  }

  /** Runs every reaction to the event, one after another in the order they registered. */
  async publish<N extends DomainEventName>(
    name: N,
    event: DomainEventMap[N],
    transaction: Transaction,
  ): Promise<void> {
    for (const handler of this.handlers.get(name) ?? []) {
      await (handler as DomainEventHandler<N>)(event, transaction);
    }
  }
}
