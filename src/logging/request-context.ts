import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the request being served, wherever the code that logs runs: every log line written
 * while serving a request carries its `requestId` (the X-Request-Id header) through pino's mixin.
 */
@Injectable()
export class RequestContext {
  private readonly storage = new AsyncLocalStorage<string>();

  /** Runs `work`, and everything it starts, as part of the request with this id. */
  run<T>(requestId: string, work: () => T): T {
    return this.storage.run(requestId, work);
  }

  /** What each log line gets: the request id, outside a request nothing. */
  bindings(): { requestId?: string } {
    const requestId = this.storage.getStore();
    return requestId === undefined ? {} : { requestId };
  }
}
