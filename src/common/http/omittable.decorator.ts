import { ValidateIf } from 'class-validator';

/**
 * A body member that may be left out. Unlike `@IsOptional()`, which skips the checks for `null`
 * too, a null is validated like any other value: `PATCH {"name": null}` is a 400 naming the field,
 * not a NOT NULL violation (a 500) in the database.
 */
export const Omittable = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
