import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { RequestValidationError, type FieldError } from '../errors/domain-error.js';

class Invalid {
  constructor(readonly errors: ValidationError[]) {}
}

/**
 * The global validation: strips nothing silently (unknown properties are a 400), converts types
 * through the DTOs, and reports every failure with where it is: a JSON pointer into the body, or
 * the name of the query or path parameter.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new Invalid(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Nest's pipe validates a null or missing body as {} and then hands the null on: a PATCH of
    // `null` was an empty patch. A body a DTO describes is a JSON object, or missing (then `{}`, so
    // that a POST without one hears which members it lacks).
    if (metadata.type === 'body' && metadata.metatype) {
      if (value === undefined) value = {};
      else if (!isJsonObject(value))
        throw new RequestValidationError([{ pointer: '#', detail: 'the body must be a JSON object' }]);
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      throw new RequestValidationError(
        fieldErrors(error.errors, metadata.type === 'body' ? 'body' : 'parameter'),
      );
    }
  }
}

const isJsonObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

function fieldErrors(
  errors: ValidationError[],
  where: 'body' | 'parameter',
  parents: string[] = [],
): FieldError[] {
  return errors.flatMap((error) => {
    const path = [...parents, error.property];
    const own = Object.values(error.constraints ?? {}).map((detail) =>
      where === 'body'
        ? { pointer: `#/${path.map(escapePointer).join('/')}`, detail }
        : { parameter: path.join('.'), detail },
    );
    return [...own, ...fieldErrors(error.children ?? [], where, path)];
  });
}

/** RFC 6901: `~` and `/` inside a key are escaped. */
const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
