import { applyDecorators, Param, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { RequestValidationError } from '../errors/domain-error.js';

/** UUIDs are case-insensitive (RFC 9562 §4); the services compare them as strings, in lower case. */
const toLowerCase: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/**
 * A path parameter that must be a UUID: anything else is a 400 naming the parameter, never a 500.
 * It reaches the handler in its canonical, lower-case form, so that your own id in capitals is you.
 */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new RequestValidationError([{ parameter: name, detail: `${name} must be a UUID` }]),
    }),
    toLowerCase,
  );

/** Documents a UUID path parameter (put it on the method that uses `@UuidParam()`). */
export const ApiUuidParam = (name = 'id', description = 'The id (a UUID).') =>
  applyDecorators(ApiParam({ name, description, schema: { type: 'string', format: 'uuid', maxLength: 36 } }));
