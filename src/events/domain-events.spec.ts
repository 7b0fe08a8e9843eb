import type { Transaction } from '../database/transactions.js';
import { DomainEvents } from './domain-events.js';

const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;

describe('DomainEvents', () => {
  it('runs every reaction to an event in the publisher’s transaction, in the order they registered', async () => {
    const events = new DomainEvents();
    const seen: string[] = [];
    events.on('account.signed-up', async ({ userId }, transaction) => {
      seen.push(`first ${userId} ${transaction === TRANSACTION}`);
    });
    events.on('account.signed-up', async ({ userId }) => {
      seen.push(`second ${userId}`);
    });
    await events.publish('account.signed-up', { userId: 'u1' }, TRANSACTION);
    expect(seen).toEqual(['first u1 true', 'second u1']);
  });

  it('passes a reaction’s failure to the publisher, running none after it, so the change rolls back', async () => {
    const events = new DomainEvents();
    let later = false;
    events.on('account.signed-up', async () => {
      throw new Error('the queue is away');
    });
    events.on('account.signed-up', async () => {
      later = true;
    });
    await expect(events.publish('account.signed-up', { userId: 'u1' }, TRANSACTION)).rejects.toThrow(
      'the queue is away',
    );
    expect(later).toBe(false);
  });

  it('publishes an event nobody reacts to without complaint', async () => {
    await expect(
      new DomainEvents().publish('account.signed-up', { userId: 'u1' }, TRANSACTION),
    ).resolves.toBeUndefined();
  });
});
