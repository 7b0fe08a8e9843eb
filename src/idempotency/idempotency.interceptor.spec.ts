import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { lastValueFrom, of } from 'rxjs';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { Idempotent } from './idempotent.decorator.js';
import type { IdempotentRequests } from './idempotent-requests.js';

const request = { url: '/api/v1/users' };
const reply = { statusCode: 200 };

function subject({ stored = undefined as { body: string } | undefined, module = true } = {}) {
  const begun: unknown[][] = [];
  const requests = {
    begin: async (...args: unknown[]) => {
      begun.push(args);
      return stored;
    },
  } as unknown as IdempotentRequests;
  const interceptor = new IdempotencyInterceptor(module ? requests : undefined);
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  let handled = 0;
  const next: CallHandler = {
    handle: () => {
      handled++;
      return of('the operation ran');
    },
  };
  const outcome = async () => lastValueFrom(await interceptor.intercept(context, next));
  return { outcome, begun, handled: () => handled };
}

// Decorated when the module loads, as a controller is: what the decorator documents (the header in
// OpenAPI) is checked against openapi.json in CI.
class Routes {
  @Idempotent()
  create(): void {}
  read(): void {}
}

describe('IdempotencyInterceptor', () => {
  it('is attached by @Idempotent() to the route it marks, and to no other', () => {
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, Routes.prototype.create)).toEqual([
      IdempotencyInterceptor,
    ]);
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, Routes.prototype.read)).toBeUndefined();
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

  it('refuses to serve the route, rather than serve it unprotected, where IdempotencyModule is missing', async () => {
    const { outcome, handled } = subject({ module: false });
    await expect(outcome()).rejects.toThrow('without IdempotencyModule');
    expect(handled()).toBe(0);
  });
});
