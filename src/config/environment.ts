import { plainToInstance, Transform } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Reading the environment: every namespace describes its variables as a class with class-validator
 * rules, and this folder is the only place that reads `process.env`.
 */
export type Environment = Record<string, string | undefined>;
export type EnvironmentClass<T extends object = object> = new () => T;

/** Boot stops with this error; its message names every bad variable at once. */
export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/**
 * The process's environment over the `.env` file of the working directory, if there is one
 * (variables already set win). `process.env` itself is left as it is.
 */
export function environment(envFile = resolve('.env')): Environment {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}

/** An empty variable (`PORT=`) counts as unset, so that its default applies. */
function withoutEmptyValues(env: Environment): Environment {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

function describe(errors: ValidationError[]): string[] {
  return errors.map((error) => {
    const shown = typeof error.value === 'string' ? JSON.stringify(error.value) : String(error.value);
    const rules = Object.values(error.constraints ?? {}).join('; ');
    return `${error.property}=${shown}: ${rules}`;
  });
}

/** The typed variables of one class, and what is wrong with them. */
export function parseEnvironment<T extends object>(cls: EnvironmentClass<T>, env: Environment) {
  const instance = plainToInstance(cls, withoutEmptyValues(env), {
    exposeDefaultValues: true,
    excludeExtraneousValues: false,
  });
  return { instance, problems: describe(validateSync(instance, { skipMissingProperties: false })) };
}

/** Returns the typed variables of one class, or throws with every problem in it. */
export function readEnvironment<T extends object>(
  cls: EnvironmentClass<T>,
  env: Environment = environment(),
): T {
  const { instance, problems } = parseEnvironment(cls, env);
  if (problems.length > 0) throw new InvalidConfigurationError(problems);
  return instance;
}

/** `"3000"` → 3000; anything that is not a plain integer stays a string and fails `@IsInt`. */
export const ToInteger = () =>
  Transform(({ value }) =>
    typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value,
  );

/** `true/false/1/0/yes/no` → boolean; anything else stays a string and fails `@IsBoolean`. */
export const ToBoolean = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    return value;
  });

export const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
export const DURATION_MESSAGE = '$property must be a duration such as 900, 15m, 12h or 30d';
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** `"15m"`, `"30d"`, `"900"` (seconds) → whole seconds. */
export function durationToSeconds(value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  return Math.round(Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']);
}

/** 86400 → "24 hours", 1800 → "30 minutes", 172800 → "2 days": for emails and the API's documentation. */
export function durationInWords(seconds: number): string {
  const [amount, unit] =
    seconds % 86_400 === 0 && seconds >= 86_400 * 2
      ? [seconds / 86_400, 'day']
      : seconds % 3600 === 0
        ? [seconds / 3600, 'hour']
        : seconds % 60 === 0
          ? [seconds / 60, 'minute']
          : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
