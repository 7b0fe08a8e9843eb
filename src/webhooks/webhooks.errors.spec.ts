import { toProblem } from '../common/errors/problem-details.js';
import {
  DeliveryUnsettledError,
  WebhookLimitError,
  WebhookNotFoundError,
  WebhookUrlRejectedError,
} from './webhooks.errors.js';

describe('webhooks’ errors, as a client reads them', () => {
  it.each([
    [new WebhookUrlRejectedError('Webhooks go to https URLs.'), 400, 'Webhooks go to https URLs.'],
    [
      new WebhookLimitError(),
      409,
      'There are 50 webhook subscriptions, the most there may be: delete one first.',
    ],
    [new WebhookNotFoundError(), 404, 'No webhook subscription with this id.'],
    [new WebhookNotFoundError('subscription'), 404, 'No webhook subscription with this id.'],
    [new WebhookNotFoundError('delivery'), 404, 'This subscription has no delivery with this id.'],
    [
      new DeliveryUnsettledError(),
      409,
      'This delivery is still being attempted (pending or waiting): it can be retried once it has succeeded or failed.',
    ],
  ])('%s', (error, status, detail) => {
    expect(toProblem(error)).toMatchObject({ status, detail });
  });

  it('locates a refused URL at #/url', () => {
    expect(toProblem(new WebhookUrlRejectedError('10.0.0.1 is private')).errors).toEqual([
      { pointer: '#/url', detail: '10.0.0.1 is private' },
    ]);
    expect(toProblem(new DeliveryUnsettledError()).type).toBe('/problems/delivery-unsettled');
    expect(toProblem(new WebhookLimitError()).type).toBe('/problems/webhook-limit');
  });
});
