import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of, type Observable } from 'rxjs';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IDEMPOTENT } from './idempotent.decorator.js';
import type { IdempotentRequests } from './idempotent-requests.js';

const request = { url: '/api/v1/users' };
const reply = { statusCode: 200 };

function subject({ marked = true, stored = undefined as { body: string } | undefined } = {}) {
  const handler = () => undefined;
  if (marked) Reflect.defineMetadata(IDEMPOTENT, true, handler);
  const begun: unknown[][] = [];
  const interceptor = new IdempotencyInterceptor(new Reflector(), {
    begin: async (...args: unknown[]) => {
      begun.push(args);
      return stored;
    },
  } as unknown as IdempotentRequests);
  const context = {
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  let handled = 0;
  const next: CallHandler = {
    handle: () => {
      handled++;
      return of('the operation ran');
    },
  };
  const outcome = async () => {
    const result = interceptor.intercept(context, next);
    return lastValueFrom(await (result as Observable<unknown> | Promise<Observable<unknown>>));
  };
  return { outcome, begun, handled: () => handled };
}

describe('IdempotencyInterceptor', () => {
  it('lets routes that are not @Idempotent() go on at once, asking nothing', async () => {
    const { outcome, begun, handled } = subject({ marked: false });
    expect(await outcome()).toBe('the operation ran');
    expect([begun, handled()]).toEqual([[], 1]);
  });

  it('runs the operation for a new key, with the request and reply it was given', async () => {
    const { outcome, begun, handled } = subject();
    expect(await outcome()).toBe('the operation ran');
    expect(begun).toEqual([[request, reply]]);
    expect(handled()).toBe(1);
  });

  it('answers a repeated key with the stored body, without running the operation', async () => {
    const { outcome, handled } = subject({ stored: { body: '{"id":1}' } });
    expect(await outcome()).toBe('{"id":1}');
    expect(handled()).toBe(0);
  });

  it('answers a stored empty body (a 204) with nothing', async () => {
    const { outcome, handled } = subject({ stored: { body: '' } });
    expect(await outcome()).toBeUndefined();
    expect(handled()).toBe(0);
  });
});
