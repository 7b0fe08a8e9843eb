import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signWebhook } from './webhook-signature.js';

describe('signWebhook (Standard Webhooks)', () => {
  // The specification's own example (its reference libraries test the same values).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = new Date(1_614_265_330_000);
  const body = '{"test": 2432232314}';

  it('gives the signature of the specification’s example', () => {
    expect(signWebhook(id, timestamp, body, [secret])).toEqual({
      'webhook-id': id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('is verified by the reference library, with either secret of an overlap', () => {
    const current = newWebhookSecret();
    const previous = newWebhookSecret();
    const now = new Date();
    const headers = signWebhook('3f1e0b7a-1111-4222-8333-944455556666', now, '{"a":1}', [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const held of [current, previous])
      expect(new Webhook(held).verify('{"a":1}', { ...headers })).toEqual({ a: 1 });
    expect(() => new Webhook(newWebhookSecret()).verify('{"a":1}', { ...headers })).toThrow(
      'No matching signature found',
    );
  });

  it('changes with every byte of the body, the id and the timestamp', () => {
    const base = signWebhook(id, timestamp, body, [secret])['webhook-signature'];
    expect(signWebhook(id, timestamp, `${body} `, [secret])['webhook-signature']).not.toBe(base);
    expect(signWebhook(`${id}x`, timestamp, body, [secret])['webhook-signature']).not.toBe(base);
    expect(
      signWebhook(id, new Date(timestamp.getTime() + 1000), body, [secret])['webhook-signature'],
    ).not.toBe(base);
  });

  it('makes secrets of 24 random bytes, never the same twice', () => {
    const made = newWebhookSecret();
    expect(made).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(newWebhookSecret()).not.toBe(made);
  });

  it('refuses a secret that is not one', () => {
    expect(() => signWebhook(id, timestamp, body, ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'])).toThrow(
      'not a webhook secret',
    );
  });
});
