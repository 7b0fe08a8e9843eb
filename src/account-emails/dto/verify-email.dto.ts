import { AccountTokenField } from './account-token.field.js';

export class VerifyEmailDto {
  @AccountTokenField()
  token: string;
}
