import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { RequestValidationError } from '../errors/domain-error.js';

/**
 * One rule for query strings, as for bodies: nothing the operation does not take. A route with a
 * `@Query()` DTO refuses unknown parameters through RequestValidationPipe (forbidNonWhitelisted); a
 * route that declares no query takes none, and a request that sends some gets a 400 naming them
 * (the fuzzer's oracle found `POST /auth/logout-all?x=1` answered 204).
 */
@Injectable()
export class QueryParametersInterceptor implements NestInterceptor {
  private readonly declaresQuery = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const names = Object.keys(context.switchToHttp().getRequest<FastifyRequest>().query ?? {});
    if (names.length > 0 && !this.takesQuery(context))
      throw new RequestValidationError(
        names.map((parameter) => ({ parameter, detail: 'is not a parameter of this operation' })),
      );
    return next.handle();
  }

  /** Whether the handler has a `@Query()` parameter (Nest's route-argument metadata), cached per handler. */
  private takesQuery(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let declared = this.declaresQuery.get(handler);
    if (declared === undefined) {
      const args: object = Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {};
      declared = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
      this.declaresQuery.set(handler, declared);
    }
    return declared;
  }
}
