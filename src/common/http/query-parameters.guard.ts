import { Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { FastifyRequest } from 'fastify';
import { RequestValidationError } from '../errors/domain-error.js';

/**
 * One rule for query strings, as for bodies: nothing the operation does not take. A route with a
 * `@Query()` DTO refuses unknown parameters through RequestValidationPipe (forbidNonWhitelisted); a
 * route that declares no query takes none, and a request that sends some gets a 400 naming them
 * (the fuzzer's oracle found `POST /auth/logout-all?x=1` answered 204). A guard, not an
 * interceptor: any global interceptor puts every route of the API through an RxJS pipeline, about
 * 20 µs of CPU a request (bench/README.md).
 */
@Injectable()
export class QueryParametersGuard implements CanActivate {
  private readonly declaresQuery = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    const names = Object.keys(context.switchToHttp().getRequest<FastifyRequest>().query ?? {});
    if (names.length > 0 && !this.takesQuery(context))
      throw new RequestValidationError(
        names.map((parameter) => ({ parameter, detail: 'is not a parameter of this operation' })),
      );
    return true;
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

/**
 * The guard, registered globally. Nest runs global guards in the order their modules are imported:
 * AppModule imports this one after AuthModule, so that a request that is not signed in is a 401
 * before its query is looked at (a token sent as `?access_token=` is refused as unauthenticated).
 */
@Module({ providers: [{ provide: APP_GUARD, useClass: QueryParametersGuard }] })
export class QueryParametersModule {}
