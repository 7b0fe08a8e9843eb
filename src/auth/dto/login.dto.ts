import { CurrentPasswordField, EmailField } from '../../users/dto/user-fields.js';

export class LoginDto {
  @EmailField()
  email: string;

  @CurrentPasswordField()
  password: string;
}
