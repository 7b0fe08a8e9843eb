import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Input a command refused before doing anything: each line names the option and what is wrong. */
export class InvalidCommandInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InvalidCommandInputError';
  }
}

/** The input as the API's DTO would take it (trimmed, normalised), or the same refusals. */
export function validated<T extends object>(dto: ClassConstructor<T>, plain: object): T {
  const input = plainToInstance(dto, plain);
  const invalid = validateSync(input, { whitelist: true, forbidNonWhitelisted: true });
  if (invalid.length > 0)
    throw new InvalidCommandInputError(
      invalid.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`),
    );
  return input;
}
