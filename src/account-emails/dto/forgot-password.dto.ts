import { EmailField } from '../../users/dto/user-fields.js';

export class ForgotPasswordDto {
  @EmailField()
  email: string;
}
