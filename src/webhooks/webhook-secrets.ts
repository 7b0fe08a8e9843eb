import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../common/secret-box.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import type { SubscriptionWithSecrets } from './webhook-subscriptions.repository.js';

/**
 * The subscriptions' signing secrets at rest: sealed under AUTH_KEY_ENCRYPTION_KEY and bound to
 * the subscription's id, so a sealed secret copied onto another subscription's row does not open.
 */
@Injectable()
export class WebhookSecrets {
  private readonly box: SecretBox;

  constructor(@Inject(authConfig.KEY) auth: AuthConfig) {
    this.box = new SecretBox(auth.keyEncryptionKey);
  }

  seal(secret: string, subscriptionId: string): string {
    return this.box.seal(secret, `webhook:${subscriptionId}`);
  }

  /** The secrets that sign a delivery at `now`: the current one, and the previous during its overlap. */
  signing(subscription: SubscriptionWithSecrets, now: Date): string[] {
    const context = `webhook:${subscription.id}`;
    const secrets = [this.box.open(subscription.secretSealed, context)];
    const { previousSecretSealed, previousSecretExpiresAt } = subscription;
    if (previousSecretSealed && previousSecretExpiresAt && previousSecretExpiresAt > now)
      secrets.push(this.box.open(previousSecretSealed, context));
    return secrets;
  }
}
