import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import type { WebhooksConfig } from '../config/webhooks.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { WebhookUrlRefusal, type WebhookAddressPolicy, type WebhookTarget } from './webhook-addresses.js';
import { FAILURES_BEFORE_DISABLING, WebhookDeliverer } from './webhook-deliverer.js';
import type { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import type { AttemptOutcome, WebhookSender } from './webhook-sender.js';
import { newWebhookSecret, signWebhook } from './webhook-signature.js';
import type {
  SubscriptionWithSecrets,
  WebhookSubscriptionsRepository,
} from './webhook-subscriptions.repository.js';

Logger.overrideLogger(false);

const NOW = new Date('2026-12-07T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const SECRET = newWebhookSecret();
const TARGET = {
  url: new URL('https://hooks.example.com/in'),
  address: { address: '93.184.215.14', family: 4 },
};

interface Options {
  status?: WebhookDelivery['status'];
  attemptsBefore?: number;
  enabled?: boolean;
  orderingKey?: string | null;
  outcome?: AttemptOutcome;
  refusal?: string;
  failuresSoFar?: number;
  maxAttempts?: number;
  next?: string | null;
  settled?: boolean;
}

function subject(options: Options = {}) {
  const {
    status = 'pending',
    attemptsBefore = 0,
    enabled = true,
    orderingKey = 'user-1',
    outcome = { kind: 'answered', status: 204, latencyMs: 12 },
    failuresSoFar = 0,
    maxAttempts = 3,
    next = null,
    settled = true,
  } = options;
  const delivery = {
    id: 'delivery-1',
    subscriptionId: 'sub-1',
    orderingKey,
    payload: '{"type":"account.signed-up"}',
    status,
  } as WebhookDelivery;
  const subscription = {
    id: 'sub-1',
    url: TARGET.url.href,
    enabled,
    secretSealed: 'sealed',
    previousSecretSealed: null,
  } as SubscriptionWithSecrets;
  const audited: AuditRecord[] = [];
  const deliveries = {
    findById: jest.fn(async (id: string) => (id === 'delivery-1' ? delivery : null)),
    startAttempt: jest.fn(async () => (status === 'pending' ? attemptsBefore + 1 : null)),
    recordAttempt: jest.fn(async () => undefined),
    lockOrdering: jest.fn(async () => undefined),
    settle: jest.fn(async (..._args: unknown[]) => settled),
    promoteNext: jest.fn(async () => next),
  };
  const subscriptions = {
    findWithSecrets: jest.fn(async () => subscription),
    succeeded: jest.fn(async () => undefined),
    failedForGood: jest.fn(async () => failuresSoFar + 1),
    lock: jest.fn(async () => subscription),
    update: jest.fn(async () => undefined),
  };
  const policy = {
    target: jest.fn(async (): Promise<WebhookTarget> => {
      if (options.refusal) throw new WebhookUrlRefusal(options.refusal);
      return TARGET as WebhookTarget;
    }),
  };
  const sender = { post: jest.fn(async (..._args: unknown[]) => outcome) };
  const metrics = { attempted: jest.fn() };
  const jobs = { enqueue: jest.fn(async () => undefined), defineQueue: jest.fn() };
  const deliverer = new WebhookDeliverer(
    jobs as unknown as JobsService,
    deliveries as unknown as WebhookDeliveriesRepository,
    subscriptions as unknown as WebhookSubscriptionsRepository,
    policy as unknown as WebhookAddressPolicy,
    sender as unknown as WebhookSender,
    { signing: () => [SECRET] } as unknown as WebhookSecrets,
    metrics as unknown as WebhookMetrics,
    { run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION) } as unknown as Transactions,
    { record: async (record: AuditRecord) => void audited.push(record) } as unknown as AuditLog,
    { now: () => NOW } as Clock,
    { maxAttempts, retryDelaySeconds: 900, timeoutMs: 5000 } as WebhooksConfig,
  );
  return { deliverer, deliveries, subscriptions, policy, sender, metrics, jobs, audited };
}

describe('WebhookDeliverer', () => {
  it('defines its queue: attempts beyond the first plus two spare for dead workers, a timeout past WEBHOOK_TIMEOUT_MS', () => {
    const { deliverer, jobs } = subject();
    deliverer.onModuleInit();
    expect(jobs.defineQueue).toHaveBeenCalledWith('webhook-delivery', expect.any(Function), {
      retryLimit: 4,
      retryDelaySeconds: 900,
      retryDelayMaxSeconds: 86_400,
      timeoutSeconds: 15,
    });
  });

  it('sends the fixed body to the checked address, signed per Standard Webhooks, and settles a 2xx as succeeded', async () => {
    const { deliverer, sender, deliveries, subscriptions, metrics, jobs } = subject({ next: 'delivery-2' });
    await deliverer.deliver('delivery-1');
    const [target, headers, body] = sender.post.mock.calls[0]! as [
      WebhookTarget,
      Record<string, string>,
      string,
    ];
    expect(target).toBe(TARGET);
    expect(body).toBe('{"type":"account.signed-up"}');
    expect(headers).toEqual(signWebhook('delivery-1', NOW, body, [SECRET]));
    expect(headers['webhook-timestamp']).toBe(String(NOW.getTime() / 1000));
    expect(deliveries.startAttempt).toHaveBeenCalledWith('delivery-1', NOW);
    expect(deliveries.settle).toHaveBeenCalledWith(
      'delivery-1',
      'succeeded',
      { statusCode: 204, latencyMs: 12, error: null },
      NOW,
      TRANSACTION,
    );
    expect(deliveries.lockOrdering).toHaveBeenCalledWith(
      [{ subscriptionId: 'sub-1', orderingKey: 'user-1' }],
      TRANSACTION,
    );
    expect(subscriptions.succeeded).toHaveBeenCalledWith('sub-1', TRANSACTION);
    expect(subscriptions.failedForGood).not.toHaveBeenCalled();
    expect(metrics.attempted).toHaveBeenCalledWith('succeeded', 12);
    // The account's next delivery goes now.
    expect(deliveries.promoteNext).toHaveBeenCalledWith('sub-1', 'user-1', TRANSACTION);
    expect(jobs.enqueue).toHaveBeenCalledWith('webhook-delivery', { deliveryId: 'delivery-2' }, TRANSACTION);
  });

  it('counts every 2xx as success, and no other status', async () => {
    for (const [status, succeeded] of [
      [200, true],
      [299, true],
      [199, false],
      [300, false],
      [404, false],
    ] as const) {
      const { deliverer, deliveries } = subject({
        outcome: { kind: 'answered', status, latencyMs: 1 },
        attemptsBefore: 2,
      });
      await deliverer.deliver('delivery-1');
      expect([status, deliveries.settle.mock.calls[0]![1]]).toEqual([
        status,
        succeeded ? 'succeeded' : 'failed',
      ]);
    }
  });

  it('leaves a failed attempt to pg-boss’s retry, recording what it got, while attempts remain', async () => {
    const { deliverer, deliveries, metrics } = subject({
      outcome: { kind: 'answered', status: 500, latencyMs: 30 },
      attemptsBefore: 1,
    });
    await expect(deliverer.deliver('delivery-1')).rejects.toThrow('attempt 2 failed (HTTP 500)');
    expect(deliveries.recordAttempt).toHaveBeenCalledWith('delivery-1', {
      statusCode: 500,
      latencyMs: 30,
      error: 'HTTP 500',
    });
    expect(deliveries.settle).not.toHaveBeenCalled();
    expect(metrics.attempted).toHaveBeenCalledWith('retrying', 30);
    const timedOut = subject({ outcome: { kind: 'unreachable', error: 'timed out', latencyMs: 5000 } });
    await expect(timedOut.deliverer.deliver('delivery-1')).rejects.toThrow('(timed out)');
    expect(timedOut.deliveries.recordAttempt).toHaveBeenCalledWith('delivery-1', {
      statusCode: null,
      latencyMs: 5000,
      error: 'timed out',
    });
  });

  it('fails for good on the last attempt, counts it against the subscription, and lets the next go', async () => {
    const { deliverer, deliveries, subscriptions, metrics, audited, jobs } = subject({
      outcome: { kind: 'answered', status: 503, latencyMs: 7 },
      attemptsBefore: 2,
      next: 'delivery-2',
    });
    await deliverer.deliver('delivery-1');
    expect(deliveries.settle).toHaveBeenCalledWith(
      'delivery-1',
      'failed',
      { statusCode: 503, latencyMs: 7, error: 'HTTP 503' },
      NOW,
      TRANSACTION,
    );
    expect(subscriptions.failedForGood).toHaveBeenCalledWith('sub-1', TRANSACTION);
    expect(subscriptions.update).not.toHaveBeenCalled();
    expect(audited).toEqual([]);
    expect(metrics.attempted).toHaveBeenCalledWith('failed', 7);
    expect(jobs.enqueue).toHaveBeenCalledWith('webhook-delivery', { deliveryId: 'delivery-2' }, TRANSACTION);
  });

  it(`disables the subscription at its ${FAILURES_BEFORE_DISABLING}th failure for good in a row, and records why`, async () => {
    const last = { outcome: { kind: 'answered', status: 500, latencyMs: 1 }, attemptsBefore: 2 } as const;
    const before = subject({ ...last, failuresSoFar: FAILURES_BEFORE_DISABLING - 2 });
    await before.deliverer.deliver('delivery-1');
    expect(before.subscriptions.update).not.toHaveBeenCalled();
    const { deliverer, subscriptions, audited } = subject({
      ...last,
      failuresSoFar: FAILURES_BEFORE_DISABLING - 1,
    });
    await deliverer.deliver('delivery-1');
    expect(subscriptions.update).toHaveBeenCalledWith(
      'sub-1',
      { enabled: false, disabledReason: 'failing', updatedAt: NOW },
      TRANSACTION,
    );
    expect(audited).toEqual([
      {
        type: 'webhook.disabled',
        subjectUserId: null,
        actorUserId: null,
        details: {
          webhookId: 'sub-1',
          disabledReason: 'failing',
          failedDeliveries: FAILURES_BEFORE_DISABLING,
        },
      },
    ]);
  });

  it('disables the subscription at a 410, on the first attempt', async () => {
    const { deliverer, deliveries, subscriptions, audited, metrics } = subject({
      outcome: { kind: 'answered', status: 410, latencyMs: 3 },
    });
    await deliverer.deliver('delivery-1');
    expect(deliveries.settle.mock.calls[0]![1]).toBe('failed');
    expect(subscriptions.update).toHaveBeenCalledWith(
      'sub-1',
      { enabled: false, disabledReason: 'gone', updatedAt: NOW },
      TRANSACTION,
    );
    expect(audited.map((r) => r.details?.disabledReason)).toEqual(['gone']);
    expect(metrics.attempted).toHaveBeenCalledWith('gone', 3);
  });

  it('refuses an address the policy refuses now, without a connection, as a failed attempt', async () => {
    const { deliverer, sender, deliveries, metrics } = subject({
      refusal: 'internal.example.com is private',
    });
    await expect(deliverer.deliver('delivery-1')).rejects.toThrow('refused: internal.example.com is private');
    expect(sender.post).not.toHaveBeenCalled();
    expect(deliveries.recordAttempt).toHaveBeenCalledWith('delivery-1', {
      statusCode: null,
      latencyMs: 0,
      error: 'refused: internal.example.com is private',
    });
    expect(metrics.attempted).toHaveBeenCalledWith('refused', 0);
    const last = subject({ refusal: 'private', attemptsBefore: 2 });
    await last.deliverer.deliver('delivery-1');
    expect(last.deliveries.settle.mock.calls[0]![1]).toBe('failed');
    expect(last.metrics.attempted).toHaveBeenCalledWith('refused', 0);
  });

  it('does nothing for a delivery that is gone or settled, and fails one whose subscription is disabled unsent', async () => {
    const gone = subject();
    await gone.deliverer.deliver('delivery-9');
    expect(gone.deliveries.startAttempt).not.toHaveBeenCalled();
    const settled = subject({ status: 'succeeded' });
    await settled.deliverer.deliver('delivery-1');
    expect(settled.sender.post).not.toHaveBeenCalled();
    const disabled = subject({ enabled: false });
    await disabled.deliverer.deliver('delivery-1');
    expect(disabled.sender.post).not.toHaveBeenCalled();
    expect(disabled.deliveries.startAttempt).not.toHaveBeenCalled();
    expect(disabled.deliveries.settle).toHaveBeenCalledWith(
      'delivery-1',
      'failed',
      { statusCode: null, latencyMs: 0, error: 'subscription disabled' },
      NOW,
      TRANSACTION,
    );
  });

  it('settles as exhausted, unsent, a delivery whose worker died on its last attempt', async () => {
    const { deliverer, sender, deliveries } = subject({ attemptsBefore: 3 });
    await deliverer.deliver('delivery-1');
    expect(sender.post).not.toHaveBeenCalled();
    expect(deliveries.settle).toHaveBeenCalledWith(
      'delivery-1',
      'failed',
      { statusCode: null, latencyMs: 0, error: 'attempts exhausted' },
      NOW,
      TRANSACTION,
    );
  });

  it('keeps no order for an event of no account, and lets nothing go when another attempt settled it first', async () => {
    const free = subject({ orderingKey: null });
    await free.deliverer.deliver('delivery-1');
    expect(free.deliveries.lockOrdering).not.toHaveBeenCalled();
    expect(free.deliveries.promoteNext).not.toHaveBeenCalled();
    const late = subject({ settled: false, next: 'delivery-2' });
    await late.deliverer.deliver('delivery-1');
    expect(late.subscriptions.succeeded).not.toHaveBeenCalled();
    expect(late.deliveries.promoteNext).not.toHaveBeenCalled();
    expect(late.jobs.enqueue).not.toHaveBeenCalled();
  });
});
