import { EmailField, NameField, PasswordField } from './user-fields.js';

export class CreateUserDto {
  @EmailField({ isNew: true })
  email: string;

  @PasswordField('Compared exactly as sent: no trimming, no truncation.')
  password: string;

  @NameField()
  name: string;
}
