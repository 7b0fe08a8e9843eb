import { applyDecorators, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { RequestValidationError } from '../errors/domain-error.js';

/** A path parameter that must be a UUID: anything else is a 400 naming the parameter, never a 500. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new RequestValidationError([{ parameter: name, detail: `${name} must be a UUID` }]),
    }),
  );

/** Documents a UUID path parameter (put it on the method that uses `@UuidParam()`). */
export const ApiUuidParam = (name = 'id', description = 'The id (a UUID).') =>
  applyDecorators(ApiParam({ name, description, schema: { type: 'string', format: 'uuid', maxLength: 36 } }));
