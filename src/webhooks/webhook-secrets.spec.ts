import type { AuthConfig } from '../config/auth.config.js';
import { WebhookSecrets } from './webhook-secrets.js';
import type { SubscriptionWithSecrets } from './webhook-subscriptions.repository.js';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const secrets = new WebhookSecrets({ keyEncryptionKey: Buffer.alloc(32, 7) } as AuthConfig);

const subscription = (overrides: Partial<SubscriptionWithSecrets>) =>
  ({
    id: 'sub-1',
    previousSecretSealed: null,
    previousSecretExpiresAt: null,
    ...overrides,
  }) as SubscriptionWithSecrets;

describe('WebhookSecrets', () => {
  it('signs with the current secret, and the previous one until its overlap ends', () => {
    const current = secrets.seal('whsec_current', 'sub-1');
    const previous = secrets.seal('whsec_previous', 'sub-1');
    expect(current).not.toContain('whsec_current');
    expect(secrets.signing(subscription({ secretSealed: current }), NOW)).toEqual(['whsec_current']);
    const during = subscription({
      secretSealed: current,
      previousSecretSealed: previous,
      previousSecretExpiresAt: new Date(NOW.getTime() + 1),
    });
    expect(secrets.signing(during, NOW)).toEqual(['whsec_current', 'whsec_previous']);
    const ended = { ...during, previousSecretExpiresAt: NOW };
    expect(secrets.signing(ended, NOW)).toEqual(['whsec_current']);
  });

  it('opens a sealed secret only for the subscription it was sealed for', () => {
    const sealed = secrets.seal('whsec_current', 'sub-1');
    expect(() => secrets.signing(subscription({ id: 'sub-2', secretSealed: sealed }), NOW)).toThrow(
      'Unsupported state or unable to authenticate data',
    );
  });
});
