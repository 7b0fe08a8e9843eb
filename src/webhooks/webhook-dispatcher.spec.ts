import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AuditEvent } from '../audit/entities/audit-event.entity.js';
import type { Clock } from '../common/clock.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { WebhookSubscription } from './entities/webhook-subscription.entity.js';
import type { NewDelivery, WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import type { WebhookSubscriptionsRepository } from './webhook-subscriptions.repository.js';

Logger.overrideLogger(false);

const NOW = new Date('2026-12-07T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;

const event = (id: string, type: AuditEvent['type'], subjectUserId: string | null): AuditEvent =>
  ({
    id,
    type,
    subjectUserId,
    actorUserId: null,
    organizationId: null,
    occurredAt: NOW,
    ipAddress: '203.0.113.9',
    userAgent: 'curl',
    sessionId: 'session-1',
    requestId: 'request-1',
    traceId: null,
    details: { reason: 'x' },
  }) as AuditEvent;

function subject({
  events = [] as AuditEvent[],
  subscriptions = [] as Pick<WebhookSubscription, 'id' | 'events'>[],
  busy = [] as string[],
  dispatcher = true,
  outbox = true,
} = {}) {
  const inserted: NewDelivery[] = [];
  const deliveries = {
    outboxHasEvents: jest.fn(async () => outbox),
    becomeDispatcher: jest.fn(async () => dispatcher),
    takeFromOutbox: jest.fn(async () => events),
    lockOrdering: jest.fn(async (..._args: unknown[]) => undefined),
    unsettledPairs: jest.fn(async () => new Set(busy)),
    insert: jest.fn(async (made: NewDelivery[]) => {
      inserted.push(...made);
      return made.map((_, i) => `delivery-${i + 1}`);
    }),
  };
  const jobs = { enqueueMany: jest.fn(async () => undefined) };
  const transactions = {
    run: jest.fn(async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION)),
  };
  const service = new WebhookDispatcher(
    deliveries as unknown as WebhookDeliveriesRepository,
    { enabled: async () => subscriptions } as unknown as WebhookSubscriptionsRepository,
    transactions as unknown as Transactions,
    jobs as unknown as JobsService,
    { now: () => NOW } as Clock,
    true,
  );
  return { service, deliveries, jobs, transactions, inserted };
}

describe('WebhookDispatcher', () => {
  it('makes one delivery per subscription that wants the event, with the event’s body, and queues them', async () => {
    const { service, inserted, jobs } = subject({
      events: [event('e1', 'account.signed-up', 'user-1'), event('e2', 'login.failed', null)],
      subscriptions: [
        { id: 's1', events: ['account.signed-up', 'login.failed'] },
        { id: 's2', events: ['account.signed-up'] },
        { id: 's3', events: ['account.deleted'] },
      ],
    });
    await expect(service.dispatch()).resolves.toBe(2);
    expect(inserted.map((d) => [d.subscriptionId, d.eventId, d.orderingKey, d.status])).toEqual([
      ['s1', 'e1', 'user-1', 'pending'],
      ['s2', 'e1', 'user-1', 'pending'],
      ['s1', 'e2', null, 'pending'],
    ]);
    expect(inserted[0]!.createdAt).toBe(NOW);
    expect(inserted[0]!.eventType).toBe('account.signed-up');
    // What the event says of the account, nothing of the request it came from.
    expect(JSON.parse(inserted[0]!.payload)).toEqual({
      type: 'account.signed-up',
      timestamp: NOW.toISOString(),
      data: {
        eventId: 'e1',
        userId: 'user-1',
        actorUserId: null,
        organizationId: null,
        details: { reason: 'x' },
      },
    });
    expect(jobs.enqueueMany).toHaveBeenCalledWith(
      'webhook-delivery',
      [{ deliveryId: 'delivery-1' }, { deliveryId: 'delivery-2' }, { deliveryId: 'delivery-3' }],
      TRANSACTION,
    );
  });

  it('makes a delivery wait behind an unsettled one of the same account and subscription, in the batch or before it', async () => {
    const { service, inserted, jobs, deliveries } = subject({
      events: [
        event('e1', 'account.signed-up', 'user-1'),
        event('e2', 'login.succeeded', 'user-1'),
        event('e3', 'login.succeeded', 'user-2'),
        event('e4', 'login.succeeded', 'user-3'),
      ],
      subscriptions: [{ id: 's1', events: ['account.signed-up', 'login.succeeded'] }],
      busy: ['s1/user-3'],
    });
    await service.dispatch();
    expect(deliveries.lockOrdering.mock.calls[0]![0]).toHaveLength(4);
    expect(inserted.map((d) => [d.eventId, d.status])).toEqual([
      ['e1', 'pending'],
      ['e2', 'waiting'],
      ['e3', 'pending'],
      ['e4', 'waiting'],
    ]);
    expect(jobs.enqueueMany).toHaveBeenCalledWith(
      'webhook-delivery',
      [{ deliveryId: 'delivery-1' }, { deliveryId: 'delivery-3' }],
      TRANSACTION,
    );
  });

  it('opens no transaction while the outbox is empty, and takes nothing while another process dispatches', async () => {
    const empty = subject({ outbox: false });
    await expect(empty.service.dispatch()).resolves.toBe(0);
    expect(empty.transactions.run).not.toHaveBeenCalled();
    const other = subject({ dispatcher: false, events: [event('e1', 'account.signed-up', 'user-1')] });
    await expect(other.service.dispatch()).resolves.toBe(0);
    expect(other.deliveries.takeFromOutbox).not.toHaveBeenCalled();
    const none = subject({ events: [] });
    await expect(none.service.dispatch()).resolves.toBe(0);
    expect(none.deliveries.insert).not.toHaveBeenCalled();
  });

  it('takes batches until one comes back short', async () => {
    const { service, deliveries } = subject({ subscriptions: [] });
    const full = Array.from({ length: 200 }, (_, i) => event(`e${i}`, 'account.signed-up', null));
    deliveries.takeFromOutbox
      .mockResolvedValueOnce(full)
      .mockResolvedValueOnce(full)
      .mockResolvedValueOnce([event('last', 'account.signed-up', null)]);
    await expect(service.drain()).resolves.toBe(401);
    expect(deliveries.takeFromOutbox).toHaveBeenCalledTimes(3);
  });

  it('polls the outbox every 500 ms, only in processes that work jobs', async () => {
    jest.useFakeTimers();
    try {
      for (const runWorkers of [true, false]) {
        const { deliveries } = subject({ outbox: false });
        const dispatcher = new WebhookDispatcher(
          deliveries as unknown as WebhookDeliveriesRepository,
          {} as WebhookSubscriptionsRepository,
          {} as Transactions,
          {} as JobsService,
          { now: () => NOW } as Clock,
          runWorkers,
        );
        dispatcher.onApplicationBootstrap();
        jest.advanceTimersByTime(499);
        expect(deliveries.outboxHasEvents).not.toHaveBeenCalled();
        jest.advanceTimersByTime(1);
        expect(deliveries.outboxHasEvents).toHaveBeenCalledTimes(runWorkers ? 1 : 0);
        await dispatcher.onApplicationShutdown();
        jest.advanceTimersByTime(5000);
        expect(deliveries.outboxHasEvents).toHaveBeenCalledTimes(runWorkers ? 1 : 0);
      }
    } finally {
      jest.useRealTimers();
    }
  });
});
