import { plainToInstance, Transform } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/**
 * Reading the environment: every namespace describes its variables as a class with class-validator
 * rules, and this file is the only place that turns `process.env` into typed values.
 */
export type Environment = Record<string, string | undefined>;
type EnvironmentClass<T extends object> = new () => T;

/** Boot stops with this error; its message names every bad variable at once. */
export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigurationError';
  }
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

function parse<T extends object>(cls: EnvironmentClass<T>, env: Environment) {
  const instance = plainToInstance(cls, withoutEmptyValues(env), {
    exposeDefaultValues: true,
    excludeExtraneousValues: false,
  });
  return { instance, problems: describe(validateSync(instance, { skipMissingProperties: false })) };
}

/** Returns the typed variables of one namespace, or throws with every problem in it. */
export function readEnvironment<T extends object>(
  cls: EnvironmentClass<T>,
  env: Environment = process.env,
): T {
  const { instance, problems } = parse(cls, env);
  if (problems.length > 0) throw new InvalidConfigurationError(problems);
  return instance;
}

/** Checks every namespace together, so one failed boot reports all bad variables, not the first. */
export function checkEnvironment(classes: EnvironmentClass<object>[], env: Environment): void {
  const problems = classes.flatMap((cls) => parse(cls, env).problems);
  if (problems.length > 0) throw new InvalidConfigurationError([...new Set(problems)]);
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

const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** `"15m"`, `"30d"`, `"900"` (seconds) → whole seconds. */
export function durationToSeconds(value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  return Math.round(Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']);
}
