import {
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { of, type Observable } from 'rxjs';
import { IdempotentRequests } from './idempotent-requests.js';

/**
 * On the routes marked `@Idempotent()`, and only there (the decorator attaches it: an interceptor
 * for every route would put the whole API through an RxJS pipeline): a request with a new key goes
 * on (and its answer is stored when it is sent); a repeated one gets the stored answer; the rest is
 * refused by `begin`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  /**
   * Optional so that a module declaring such a route also loads where no HTTP is served (the CLI,
   * which never routes a request); the API imports IdempotencyModule, which is global.
   */
  constructor(@Optional() private readonly requests?: IdempotentRequests) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (!this.requests) throw new Error('an @Idempotent() route is served without IdempotencyModule');
    const http = context.switchToHttp();
    const replay = await this.requests.begin(
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
    );
    return replay ? of(replay.body || undefined) : next.handle();
  }
}
