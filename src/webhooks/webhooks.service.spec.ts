import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AuditLog, AuditRecord } from '../audit/audit-log.js';
import type { Clock } from '../common/clock.js';
import type { WebhooksConfig } from '../config/webhooks.config.js';
import type { Transaction, Transactions } from '../database/transactions.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import {
  MAX_WEBHOOK_SUBSCRIPTIONS,
  type WebhookSubscription,
} from './entities/webhook-subscription.entity.js';
import { WebhookUrlRefusal, type WebhookAddressPolicy } from './webhook-addresses.js';
import type { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import type { WebhookSubscriptionsRepository } from './webhook-subscriptions.repository.js';
import {
  DeliveryUnsettledError,
  WebhookLimitError,
  WebhookNotFoundError,
  WebhookUrlRejectedError,
} from './webhooks.errors.js';
import { WebhooksService } from './webhooks.service.js';

Logger.overrideLogger(false);

const NOW = new Date('2026-12-07T12:00:00.000Z');
const TRANSACTION = { name: 'the transaction' } as unknown as Transaction;
const HOOK_URL = 'https://hooks.example.com/in?token=receivers-own';

function stored(overrides: Partial<WebhookSubscription> = {}) {
  return {
    id: 'sub-1',
    url: HOOK_URL,
    description: 'Billing',
    events: ['account.signed-up'],
    enabled: true,
    disabledReason: null,
    consecutiveFailures: 0,
    previousSecretExpiresAt: null,
    createdBy: 'admin-1',
    createdAt: NOW,
    updatedAt: NOW,
    secretSealed: 'sealed current',
    previousSecretSealed: null,
    ...overrides,
  } as WebhookSubscription & { secretSealed: string; previousSecretSealed: string | null };
}

function subject({
  count = 0,
  found = stored() as ReturnType<typeof stored> | null,
  refusal = undefined as string | undefined,
  delivery = { id: 'd1', subscriptionId: 'sub-1', status: 'failed' } as WebhookDelivery | null,
  reopened = true,
} = {}) {
  const audited: AuditRecord[] = [];
  const subscriptions = {
    count: jest.fn(async () => count),
    insert: jest.fn(async () => undefined),
    findById: jest.fn(async () => found),
    lock: jest.fn(async () => found),
    update: jest.fn(async (..._args: unknown[]) => undefined),
    delete: jest.fn(async () => true),
    page: jest.fn(async () => []),
  };
  const deliveries = {
    findOf: jest.fn(async () => delivery),
    reopen: jest.fn(async () => reopened),
    page: jest.fn(async () => []),
  };
  const policy = {
    target: jest.fn(async () => {
      if (refusal) throw new WebhookUrlRefusal(refusal);
      return {};
    }),
  };
  const jobs = { enqueue: jest.fn(async () => undefined) };
  const service = new WebhooksService(
    subscriptions as unknown as WebhookSubscriptionsRepository,
    deliveries as unknown as WebhookDeliveriesRepository,
    policy as unknown as WebhookAddressPolicy,
    { seal: (secret: string, id: string) => `sealed ${secret} for ${id}` } as unknown as WebhookSecrets,
    { run: async <T>(work: (t: Transaction) => Promise<T>) => work(TRANSACTION) } as unknown as Transactions,
    jobs as unknown as JobsService,
    { record: async (record: AuditRecord) => void audited.push(record) } as unknown as AuditLog,
    { now: () => NOW } as Clock,
    { secretOverlapSeconds: 86_400 } as WebhooksConfig,
  );
  return { service, subscriptions, deliveries, policy, jobs, audited };
}

describe('WebhooksService', () => {
  it('makes an enabled subscription with a new secret, stored sealed for its id, and records its host only', async () => {
    const { service, subscriptions, audited } = subject();
    const { subscription, secret } = await service.create('admin-1', {
      url: HOOK_URL,
      events: ['account.signed-up', 'account.deleted'],
    });
    expect(secret).toMatch(/^whsec_/);
    expect(subscription).toMatchObject({
      url: HOOK_URL,
      events: ['account.signed-up', 'account.deleted'],
      enabled: true,
      description: null,
      createdBy: 'admin-1',
      createdAt: NOW,
    });
    const [row, transaction] = subscriptions.insert.mock.calls[0]! as unknown as [
      Record<string, unknown>,
      Transaction,
    ];
    expect(row.secretSealed).toBe(`sealed ${secret} for ${subscription.id}`);
    expect(row.previousSecretSealed).toBeNull();
    expect(transaction).toBe(TRANSACTION);
    expect(audited).toEqual([
      {
        type: 'webhook.created',
        subjectUserId: null,
        details: { webhookId: subscription.id, webhookHost: 'hooks.example.com' },
      },
    ]);
    expect(JSON.stringify(audited)).not.toContain('receivers-own');
  });

  it('refuses a URL the policy refuses, at #/url, and the fifty-first subscription', async () => {
    const refused = subject({ refusal: 'Webhooks go to https URLs.' });
    const creation = refused.service.create('admin-1', { url: 'http://x', events: ['account.deleted'] });
    await expect(creation).rejects.toBeInstanceOf(WebhookUrlRejectedError);
    await expect(creation).rejects.toMatchObject({
      errors: [{ pointer: '#/url', detail: 'Webhooks go to https URLs.' }],
    });
    expect(refused.subscriptions.insert).not.toHaveBeenCalled();
    const full = subject({ count: MAX_WEBHOOK_SUBSCRIPTIONS });
    await expect(
      full.service.create('admin-1', { url: HOOK_URL, events: ['account.deleted'] }),
    ).rejects.toBeInstanceOf(WebhookLimitError);
    const room = subject({ count: MAX_WEBHOOK_SUBSCRIPTIONS - 1 });
    await expect(
      room.service.create('admin-1', { url: HOOK_URL, events: ['account.deleted'] }),
    ).resolves.toBeDefined();
  });

  it('changes only what is sent, checks a new URL, and clears why the server disabled it when enabled again', async () => {
    const disabled = stored({ enabled: false, disabledReason: 'gone', consecutiveFailures: 5 });
    const { service, subscriptions, policy, audited } = subject({ found: disabled });
    const updated = await service.update('sub-1', { enabled: true });
    expect(policy.target).not.toHaveBeenCalled();
    expect(subscriptions.update).toHaveBeenCalledWith(
      'sub-1',
      {
        url: HOOK_URL,
        events: ['account.signed-up'],
        description: 'Billing',
        enabled: true,
        disabledReason: null,
        consecutiveFailures: 0,
        updatedAt: NOW,
      },
      TRANSACTION,
    );
    expect(updated).toMatchObject({ enabled: true, disabledReason: null });
    expect(audited.map((r) => r.type)).toEqual(['webhook.updated']);

    const kept = subject({ found: disabled });
    await kept.service.update('sub-1', { description: 'New' });
    expect(kept.subscriptions.update.mock.calls[0]![1]).toMatchObject({
      enabled: false,
      disabledReason: 'gone',
      consecutiveFailures: 5,
      description: 'New',
    });

    const moved = subject({ refusal: 'private' });
    await expect(moved.service.update('sub-1', { url: 'https://10.0.0.1/' })).rejects.toBeInstanceOf(
      WebhookUrlRejectedError,
    );
    expect(moved.subscriptions.update).not.toHaveBeenCalled();
  });

  it('rotates: the new secret signs, the old one until the overlap ends', async () => {
    const { service, subscriptions, audited } = subject();
    const { secret, previousSecretExpiresAt } = await service.rotateSecret('sub-1');
    expect(previousSecretExpiresAt).toEqual(new Date(NOW.getTime() + 86_400_000));
    expect(subscriptions.update).toHaveBeenCalledWith(
      'sub-1',
      {
        secretSealed: `sealed ${secret} for sub-1`,
        previousSecretSealed: 'sealed current',
        previousSecretExpiresAt,
        updatedAt: NOW,
      },
      TRANSACTION,
    );
    expect(audited.map((r) => r.type)).toEqual(['webhook.secret-rotated']);
  });

  it('answers 404 for an unknown subscription, whatever is asked of it', async () => {
    const { service, subscriptions, audited } = subject({ found: null });
    await expect(service.get('sub-9')).rejects.toBeInstanceOf(WebhookNotFoundError);
    await expect(service.update('sub-9', { enabled: false })).rejects.toBeInstanceOf(WebhookNotFoundError);
    await expect(service.delete('sub-9')).rejects.toBeInstanceOf(WebhookNotFoundError);
    await expect(service.rotateSecret('sub-9')).rejects.toBeInstanceOf(WebhookNotFoundError);
    await expect(service.deliveriesOf('sub-9', { limit: 20 })).rejects.toBeInstanceOf(WebhookNotFoundError);
    await expect(service.retry('sub-9', 'd1')).rejects.toBeInstanceOf(WebhookNotFoundError);
    expect(subscriptions.update).not.toHaveBeenCalled();
    expect(subscriptions.delete).not.toHaveBeenCalled();
    expect(audited).toEqual([]);
  });

  it('deletes a subscription and records it', async () => {
    const { service, subscriptions, audited } = subject();
    await service.delete('sub-1');
    expect(subscriptions.delete).toHaveBeenCalledWith('sub-1', TRANSACTION);
    expect(audited).toEqual([
      {
        type: 'webhook.deleted',
        subjectUserId: null,
        details: { webhookId: 'sub-1', webhookHost: 'hooks.example.com' },
      },
    ]);
  });

  it('retries a settled delivery in a new job; refuses one still being attempted, or of another subscription', async () => {
    const { service, deliveries, jobs } = subject();
    await service.retry('sub-1', 'd1');
    expect(deliveries.findOf).toHaveBeenCalledWith('sub-1', 'd1');
    expect(deliveries.reopen).toHaveBeenCalledWith('d1', TRANSACTION);
    expect(jobs.enqueue).toHaveBeenCalledWith('webhook-delivery', { deliveryId: 'd1' }, TRANSACTION);
    const busy = subject({ reopened: false });
    await expect(busy.service.retry('sub-1', 'd1')).rejects.toBeInstanceOf(DeliveryUnsettledError);
    expect(busy.jobs.enqueue).not.toHaveBeenCalled();
    const elsewhere = subject({ delivery: null });
    await expect(elsewhere.service.retry('sub-1', 'd1')).rejects.toMatchObject({
      message: 'This subscription has no delivery with this id.',
    });
  });
});
