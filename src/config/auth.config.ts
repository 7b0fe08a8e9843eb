import { registerAs, type ConfigType } from '@nestjs/config';
import { IsInt, Max, Min } from 'class-validator';
import { readEnvironment, ToInteger } from './environment.js';

export class AuthEnvironment {
  /** The shortest password accepted at sign-up, change and reset (NIST 800-63B allows 8; we ask 12). */
  @ToInteger()
  @IsInt()
  @Min(8)
  @Max(64)
  AUTH_PASSWORD_MIN_LENGTH = 12;
}

export const authConfig = registerAs('auth', () => {
  const env = readEnvironment(AuthEnvironment);
  return {
    passwordMinLength: env.AUTH_PASSWORD_MIN_LENGTH,
  };
});
export type AuthConfig = ConfigType<typeof authConfig>;
