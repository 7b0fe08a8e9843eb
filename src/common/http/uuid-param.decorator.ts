import { Param, ParseUUIDPipe } from '@nestjs/common';
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
