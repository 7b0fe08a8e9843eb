import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { of, type Observable } from 'rxjs';
import { IDEMPOTENT } from './idempotent.decorator.js';
import { IdempotentRequests } from './idempotent-requests.js';

/**
 * On the routes marked `@Idempotent()`: a request with a new key goes on (and its answer is stored
 * when it is sent); a repeated one gets the stored answer; the rest is refused by `begin`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly requests: IdempotentRequests,
  ) {}

  intercept(
    context: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    // Every route passes here: the others go on at once, without a promise.
    if (!this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) return next.handle();
    return this.replayOr(context, next);
  }

  private async replayOr(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const replay = await this.requests.begin(
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
    );
    return replay ? of(replay.body || undefined) : next.handle();
  }
}
