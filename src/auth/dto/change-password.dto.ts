import { CurrentPasswordField, PasswordField } from '../../users/dto/user-fields.js';

export class ChangePasswordDto {
  @CurrentPasswordField()
  currentPassword: string;

  @PasswordField('The new password.')
  newPassword: string;
}
