import { IsDefined, IsString } from 'class-validator';

/** What the command-line tools read from the environment (never from their arguments). */
export class AdminCliEnvironment {
  /** The new admin's password: from the environment, so that it stays out of shell history. */
  @IsDefined({ message: 'is required: the password of the admin to create' })
  @IsString()
  ADMIN_PASSWORD: string;
}
