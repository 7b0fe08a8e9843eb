import { PasswordField } from '../../users/dto/user-fields.js';
import { AccountTokenField } from './account-token.field.js';

export class ResetPasswordDto {
  @AccountTokenField()
  token: string;

  @PasswordField('The new password.')
  newPassword: string;
}
