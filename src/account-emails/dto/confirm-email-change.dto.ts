import { AccountTokenField } from './account-token.field.js';

export class ConfirmEmailChangeDto {
  @AccountTokenField()
  token: string;
}
