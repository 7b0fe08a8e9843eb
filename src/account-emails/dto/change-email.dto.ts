import { CurrentPasswordField, EmailField } from '../../users/dto/user-fields.js';

export class ChangeEmailDto {
  @EmailField({ isNew: true })
  newEmail: string;

  @CurrentPasswordField()
  currentPassword: string;
}
