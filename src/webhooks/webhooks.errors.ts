import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { MAX_WEBHOOK_SUBSCRIPTIONS } from './entities/webhook-subscription.entity.js';

/** A URL the address policy refuses (webhook-addresses.ts): the reason, located at `url`. */
export class WebhookUrlRejectedError extends DomainError {
  readonly code = 'WEBHOOK_URL_REJECTED';
  override readonly errors: FieldError[];
  constructor(detail: string) {
    super(detail);
    this.errors = [{ pointer: '#/url', detail }];
  }
}

export class WebhookLimitError extends DomainError {
  readonly code = 'WEBHOOK_LIMIT';
  constructor() {
    super(
      `There are ${MAX_WEBHOOK_SUBSCRIPTIONS} webhook subscriptions, the most there may be: delete one first.`,
    );
  }
}

export class WebhookNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(what: 'subscription' | 'delivery' = 'subscription') {
    super(
      what === 'subscription'
        ? 'No webhook subscription with this id.'
        : 'This subscription has no delivery with this id.',
    );
  }
}

/** A retry asked of a delivery whose attempts are still going on. */
export class DeliveryUnsettledError extends DomainError {
  readonly code = 'DELIVERY_UNSETTLED';
  constructor() {
    super(
      'This delivery is still being attempted (pending or waiting): it can be retried once it has succeeded or failed.',
    );
  }
}
